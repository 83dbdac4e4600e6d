package supergraph

import (
	"fmt"
	"slices"
	"strings"

	"github.com/vektah/gqlparser/v2/ast"
)

// extract rebuilds every subgraph's schema from the join directives,
// following Apollo's extractSubgraphsFromSupergraph.
func (s *Supergraph) extract() error {
	if err := s.collectGraphs(); err != nil {
		return err
	}
	types := s.userTypes()
	for _, d := range types {
		if err := s.extractTypePresence(d); err != nil {
			return err
		}
	}
	for _, d := range types {
		var err error
		switch d.Kind {
		case ast.Object, ast.Interface:
			s.extractImplements(d)
			err = s.extractFields(d)
		case ast.InputObject:
			err = s.extractInputFields(d)
		case ast.Enum:
			s.extractEnumValues(d)
		case ast.Union:
			s.extractUnionMembers(d)
		}
		if err != nil {
			return fmt.Errorf("type %s: %w", d.Name, err)
		}
	}
	for _, g := range s.graphs {
		if s.fed1 {
			if err := s.addExternalFields(g); err != nil {
				return fmt.Errorf("subgraph %s: %w", g.graph.Name, err)
			}
		}
		s.removeEmptyTypes(g)
		if s.fed1 {
			s.pruneFed1Interfaces(g)
		}
		s.closeTypeReferences(g)
	}
	return nil
}

func (s *Supergraph) extractTypePresence(d *ast.Definition) error {
	apps := d.Directives.ForNames(s.specs.dir("type"))
	if len(apps) == 0 {
		for _, g := range s.graphs {
			g.addType(d.Kind, d.Name)
		}
		return nil
	}
	for _, app := range apps {
		g, err := s.graphByEnum(argString(app, "graph"))
		if err != nil {
			return fmt.Errorf("type %s: %w", d.Name, err)
		}
		t := g.addType(d.Kind, d.Name)
		if argBool(app, "isInterfaceObject", false) {
			t.interfaceObject = true
		}
		if hasArg(app, "key") {
			fs := argString(app, "key")
			if !t.hasKey(fs) {
				t.keys = append(t.keys, key{
					fields:     fs,
					resolvable: argBool(app, "resolvable", true),
					extension:  argBool(app, "extension", false),
				})
			}
		}
	}
	return nil
}

func (s *Supergraph) extractImplements(d *ast.Definition) {
	var added []string
	for _, app := range d.Directives.ForNames(s.specs.dir("implements")) {
		g, err := s.graphByEnum(argString(app, "graph"))
		if err != nil {
			continue
		}
		itf := argString(app, "interface")
		if t := g.typ(d.Name); t != nil && !slices.Contains(t.implements, itf) {
			t.implements = append(t.implements, itf)
		}
		added = append(added, itf)
	}
	for _, itf := range d.Interfaces {
		if slices.Contains(added, itf) {
			continue
		}
		for _, g := range s.graphs {
			t, i := g.typ(d.Name), g.typ(itf)
			if t != nil && i != nil && !slices.Contains(t.implements, itf) {
				t.implements = append(t.implements, itf)
			}
		}
	}
}

func (s *Supergraph) extractFields(d *ast.Definition) error {
	var owner *subgraph
	if app := d.Directives.ForName(s.specs.dir("owner")); app != nil {
		g, err := s.graphByEnum(argString(app, "graph"))
		if err != nil {
			return err
		}
		owner = g
	}
	for _, fd := range d.Fields {
		if strings.HasPrefix(fd.Name, "__") {
			continue
		}
		apps := fd.Directives.ForNames(s.specs.dir("field"))
		if len(apps) == 0 {
			if owner != nil {
				if t := owner.typ(d.Name); t != nil {
					t.addField(&field{name: fd.Name, typ: fd.Type, def: fd})
				}
				continue
			}
			for _, g := range s.graphs {
				t := g.typ(d.Name)
				if t == nil || (s.fed1 && !builtinScalars[fd.Type.Name()] && g.typ(fd.Type.Name()) == nil) {
					continue
				}
				t.addField(&field{name: fd.Name, typ: fd.Type, def: fd})
			}
			continue
		}
		for _, app := range apps {
			if !hasArg(app, "graph") {
				// A graph-less @join__field marks a field that no subgraph
				// defines directly (e.g. contributed via @interfaceObject).
				continue
			}
			g, err := s.graphByEnum(argString(app, "graph"))
			if err != nil {
				return err
			}
			t := g.typ(d.Name)
			if t == nil {
				continue
			}
			label := argString(app, "overrideLabel")
			overridden := argBool(app, "usedOverridden", false)
			if label != "" {
				active := s.labelActive(label)
				if hasArg(app, "override") && !active {
					continue
				}
				if !hasArg(app, "override") && active {
					overridden = true
				}
			}
			ft := fd.Type
			if hasArg(app, "type") {
				parsed, err := parseType(argString(app, "type"))
				if err != nil {
					return fmt.Errorf("field %s: %w", fd.Name, err)
				}
				ft = parsed
			}
			f := t.addField(&field{name: fd.Name, typ: ft, def: fd})
			f.external = f.external || argBool(app, "external", false)
			f.overridden = f.overridden || overridden
			if r := argString(app, "requires"); r != "" {
				f.requires = r
			}
			if p := argString(app, "provides"); p != "" {
				f.provides = p
			}
			if ca := readContextArgs(app); len(ca) > 0 {
				f.contextArgs = ca
			}
		}
	}
	return nil
}

func (s *Supergraph) extractInputFields(d *ast.Definition) error {
	for _, fd := range d.Fields {
		apps := fd.Directives.ForNames(s.specs.dir("field"))
		if len(apps) == 0 {
			for _, g := range s.graphs {
				if t := g.typ(d.Name); t != nil {
					t.addField(&field{name: fd.Name, typ: fd.Type, def: fd})
				}
			}
			continue
		}
		for _, app := range apps {
			if !hasArg(app, "graph") {
				continue
			}
			g, err := s.graphByEnum(argString(app, "graph"))
			if err != nil {
				return err
			}
			t := g.typ(d.Name)
			if t == nil {
				continue
			}
			ft := fd.Type
			if hasArg(app, "type") {
				if ft, err = parseType(argString(app, "type")); err != nil {
					return fmt.Errorf("input field %s: %w", fd.Name, err)
				}
			}
			t.addField(&field{name: fd.Name, typ: ft, def: fd})
		}
	}
	return nil
}

func (s *Supergraph) extractEnumValues(d *ast.Definition) {
	for _, v := range d.EnumValues {
		apps := v.Directives.ForNames(s.specs.dir("enumValue"))
		if len(apps) == 0 {
			for _, g := range s.graphs {
				if t := g.typ(d.Name); t != nil {
					t.values = append(t.values, v.Name)
				}
			}
			continue
		}
		for _, app := range apps {
			if g, err := s.graphByEnum(argString(app, "graph")); err == nil {
				if t := g.typ(d.Name); t != nil && !slices.Contains(t.values, v.Name) {
					t.values = append(t.values, v.Name)
				}
			}
		}
	}
}

func (s *Supergraph) extractUnionMembers(d *ast.Definition) {
	apps := d.Directives.ForNames(s.specs.dir("unionMember"))
	if len(apps) == 0 {
		for _, g := range s.graphs {
			t := g.typ(d.Name)
			if t == nil {
				continue
			}
			for _, m := range d.Types {
				if g.typ(m) != nil {
					t.members = append(t.members, m)
				}
			}
		}
		return
	}
	for _, app := range apps {
		g, err := s.graphByEnum(argString(app, "graph"))
		if err != nil {
			continue
		}
		m := argString(app, "member")
		if t := g.typ(d.Name); t != nil && g.typ(m) != nil && !slices.Contains(t.members, m) {
			t.members = append(t.members, m)
		}
	}
}

func (s *Supergraph) removeEmptyTypes(g *subgraph) {
	for _, name := range slices.Clone(g.order) {
		t := g.types[name]
		switch t.kind {
		case ast.Object, ast.Interface, ast.InputObject:
			if len(t.fields) == 0 {
				g.removeType(name)
			}
		case ast.Union:
			if len(t.members) == 0 {
				g.removeType(name)
			}
		case ast.Enum:
			if len(t.values) == 0 {
				g.removeType(name)
			}
		}
	}
	for _, t := range g.types {
		t.implements = slices.DeleteFunc(t.implements, func(i string) bool { return g.typ(i) == nil })
		t.members = slices.DeleteFunc(t.members, func(m string) bool { return g.typ(m) == nil })
	}
}

// closeTypeReferences adds the scalars, enums and input types that the
// subgraph's fields and arguments use but that carry no join__type for it,
// and drops fields whose output type the subgraph does not have.
func (s *Supergraph) closeTypeReferences(g *subgraph) {
	for i := 0; i < len(g.order); i++ {
		t := g.types[g.order[i]]
		t.fields = slices.DeleteFunc(t.fields, func(f *field) bool {
			if !s.ensureType(g, f.typ.Name()) {
				return true
			}
			if f.def != nil {
				for _, a := range f.def.Arguments {
					s.ensureType(g, a.Type.Name())
				}
			}
			return false
		})
	}
}

func (s *Supergraph) ensureType(g *subgraph, name string) bool {
	if builtinScalars[name] || g.typ(name) != nil {
		return true
	}
	d := s.defs[name]
	if d == nil {
		return false
	}
	switch d.Kind {
	case ast.Scalar:
		g.addType(ast.Scalar, name)
	case ast.Enum:
		t := g.addType(ast.Enum, name)
		for _, v := range d.EnumValues {
			t.values = append(t.values, v.Name)
		}
	case ast.InputObject:
		t := g.addType(ast.InputObject, name)
		for _, fd := range d.Fields {
			t.addField(&field{name: fd.Name, typ: fd.Type, def: fd})
		}
	default:
		return false
	}
	return true
}
