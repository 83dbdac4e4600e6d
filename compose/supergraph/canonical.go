package supergraph

import (
	"fmt"
	"sort"
	"strings"

	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/parser"
)

// Canonical renders an SDL document in a normal form, order and formatting
// aside: definitions, fields, arguments, enum values, union members,
// interfaces and applied directives are sorted. Two supergraphs with equal
// canonical forms are equivalent for routers; tests and `compose check` use
// it to compare our output with Apollo's.
func Canonical(sdl string) (string, error) {
	doc, err := parser.ParseSchema(&ast.Source{Input: sdl})
	if err != nil {
		return "", fmt.Errorf("canonical: %w", err)
	}
	var out []string
	for _, list := range []ast.SchemaDefinitionList{doc.Schema, doc.SchemaExtension} {
		for _, sd := range list {
			ops := make([]string, len(sd.OperationTypes))
			for i, o := range sd.OperationTypes {
				ops[i] = string(o.Operation) + ":" + o.Type
			}
			sort.Strings(ops)
			out = append(out, "schema "+canonDirectives(sd.Directives)+" {"+strings.Join(ops, " ")+"}")
		}
	}
	for _, d := range doc.Directives {
		locs := make([]string, len(d.Locations))
		for i, l := range d.Locations {
			locs[i] = string(l)
		}
		sort.Strings(locs)
		rep := ""
		if d.IsRepeatable {
			rep = " repeatable"
		}
		out = append(out, fmt.Sprintf("directive @%s(%s)%s on %s", d.Name, canonArgs(d.Arguments), rep, strings.Join(locs, "|")))
	}
	for _, def := range append(append(ast.DefinitionList{}, doc.Definitions...), doc.Extensions...) {
		out = append(out, canonDefinition(def))
	}
	sort.Strings(out)
	return strings.Join(out, "\n") + "\n", nil
}

func canonDescription(d string) string {
	if d == "" {
		return ""
	}
	return fmt.Sprintf("%q ", strings.TrimSpace(d))
}

func canonDirectives(ds ast.DirectiveList) string {
	parts := make([]string, len(ds))
	for i, d := range ds {
		args := make([]string, len(d.Arguments))
		for j, a := range d.Arguments {
			args[j] = a.Name + ": " + ValueString(a.Value)
		}
		sort.Strings(args)
		parts[i] = "@" + d.Name + "(" + strings.Join(args, ", ") + ")"
	}
	sort.Strings(parts)
	return strings.Join(parts, " ")
}

func canonArgs(args ast.ArgumentDefinitionList) string {
	parts := make([]string, len(args))
	for i, a := range args {
		s := canonDescription(a.Description) + a.Name + ": " + a.Type.String()
		if a.DefaultValue != nil {
			s += " = " + ValueString(a.DefaultValue)
		}
		parts[i] = s + " " + canonDirectives(a.Directives)
	}
	sort.Strings(parts)
	return strings.Join(parts, ", ")
}

func canonDefinition(def *ast.Definition) string {
	var b strings.Builder
	itfs := append([]string(nil), def.Interfaces...)
	sort.Strings(itfs)
	fmt.Fprintf(&b, "%s%s %s implements[%s] %s", canonDescription(def.Description), def.Kind, def.Name, strings.Join(itfs, ","), canonDirectives(def.Directives))
	var items []string
	for _, f := range def.Fields {
		s := canonDescription(f.Description) + f.Name + "(" + canonArgs(f.Arguments) + "): " + f.Type.String()
		if f.DefaultValue != nil {
			s += " = " + ValueString(f.DefaultValue)
		}
		items = append(items, s+" "+canonDirectives(f.Directives))
	}
	for _, v := range def.EnumValues {
		items = append(items, canonDescription(v.Description)+v.Name+" "+canonDirectives(v.Directives))
	}
	members := append([]string(nil), def.Types...)
	sort.Strings(members)
	if len(members) > 0 {
		items = append(items, "= "+strings.Join(members, " | "))
	}
	sort.Strings(items)
	for _, it := range items {
		b.WriteString("\n  " + it)
	}
	return b.String()
}
