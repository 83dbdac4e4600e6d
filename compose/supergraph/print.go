package supergraph

import (
	"fmt"
	"sort"
	"strings"

	"github.com/vektah/gqlparser/v2/ast"
)

// Print renders the supergraph SDL in the layout Apollo's composition uses,
// so that diffs against Apollo's output stay readable.
func Print(s *Schema) string {
	var blocks []string
	blocks = append(blocks, printSchemaDef(s))
	defs := append(joinDirectiveDefs(s.JoinMinor), s.DirectiveDefs...)
	sort.Slice(defs, func(i, j int) bool { return defs[i].Name < defs[j].Name })
	for _, d := range defs {
		blocks = append(blocks, printDirectiveDef(d))
	}
	types := append(specTypes(s), s.Types...)
	sort.SliceStable(types, func(i, j int) bool {
		return strings.ToLower(types[i].Name) < strings.ToLower(types[j].Name)
	})
	for _, t := range types {
		blocks = append(blocks, printType(t))
	}
	return strings.Join(blocks, "\n\n") + "\n"
}

func printSchemaDef(s *Schema) string {
	var b strings.Builder
	b.WriteString("schema\n")
	b.WriteString(`  @link(url: "https://specs.apollo.dev/link/v1.0")` + "\n")
	fmt.Fprintf(&b, `  @link(url: "https://specs.apollo.dev/join/v0.%d", for: EXECUTION)`+"\n", s.JoinMinor)
	for _, l := range s.Links {
		args := []string{"url: " + Str(l.URL)}
		if l.For != "" {
			args = append(args, "for: "+l.For)
		}
		if len(l.Imports) > 0 {
			imps := make([]string, len(l.Imports))
			for i, im := range l.Imports {
				imps[i] = im.String()
			}
			args = append(args, "import: ["+strings.Join(imps, ", ")+"]")
		}
		b.WriteString("  @link(" + strings.Join(args, ", ") + ")\n")
	}
	b.WriteString("{\n  query: Query\n")
	if s.Mutation {
		b.WriteString("  mutation: Mutation\n")
	}
	if s.Subscription {
		b.WriteString("  subscription: Subscription\n")
	}
	b.WriteString("}")
	return b.String()
}

func printDirectiveDef(d *ast.DirectiveDefinition) string {
	var b strings.Builder
	if d.Description != "" {
		b.WriteString(description(d.Description, "") + "\n")
	}
	b.WriteString("directive @" + d.Name)
	if len(d.Arguments) > 0 {
		args := make([]string, len(d.Arguments))
		for i, a := range d.Arguments {
			args[i] = a.Name + ": " + a.Type.String()
			if a.DefaultValue != nil {
				args[i] += " = " + ValueString(a.DefaultValue)
			}
		}
		b.WriteString("(" + strings.Join(args, ", ") + ")")
	}
	if d.IsRepeatable {
		b.WriteString(" repeatable")
	}
	locs := make([]string, len(d.Locations))
	for i, l := range d.Locations {
		locs[i] = string(l)
	}
	b.WriteString(" on " + strings.Join(locs, " | "))
	return b.String()
}

// description prints a block string description at the given indentation.
func description(desc, indent string) string {
	// Like graphql-js, long descriptions go on their own lines.
	if len(desc) <= 70 && !strings.Contains(desc, "\n") && !strings.HasSuffix(desc, `"`) && !strings.HasSuffix(desc, `\`) {
		return indent + `"""` + strings.ReplaceAll(desc, `"""`, `\"""`) + `"""`
	}
	lines := strings.Split(strings.ReplaceAll(desc, `"""`, `\"""`), "\n")
	var b strings.Builder
	b.WriteString(indent + `"""` + "\n")
	// Every line is indented, blank ones included, as Apollo prints them.
	for _, l := range lines {
		b.WriteString(indent + l + "\n")
	}
	b.WriteString(indent + `"""`)
	return b.String()
}

func directives(ds []Directive) string {
	var b strings.Builder
	for _, d := range ds {
		b.WriteString(" " + d.String())
	}
	return b.String()
}

func printType(t *Type) string {
	var b strings.Builder
	if t.Description != "" {
		b.WriteString(description(t.Description, "") + "\n")
	}
	kw := map[ast.DefinitionKind]string{
		ast.Object: "type", ast.Interface: "interface", ast.Union: "union",
		ast.Enum: "enum", ast.InputObject: "input", ast.Scalar: "scalar",
	}[t.Kind]
	b.WriteString(kw + " " + t.Name)
	if len(t.Interfaces) > 0 {
		b.WriteString(" implements " + strings.Join(t.Interfaces, " & "))
	}
	for _, d := range t.Directives {
		b.WriteString("\n  " + d.String())
	}
	switch t.Kind {
	case ast.Scalar:
		return b.String()
	case ast.Union:
		if len(t.Members) > 0 {
			if len(t.Directives) > 0 {
				b.WriteString("\n")
			}
			b.WriteString(" = " + strings.Join(t.Members, " | "))
		}
		return b.String()
	}
	if len(t.Directives) > 0 {
		b.WriteString("\n{\n")
	} else {
		b.WriteString(" {\n")
	}
	var items []string
	switch t.Kind {
	case ast.Enum:
		for _, v := range t.Values {
			s := ""
			if v.Description != "" {
				s = description(v.Description, "  ") + "\n"
			}
			items = append(items, s+"  "+v.Name+directives(v.Directives))
		}
	default:
		for _, f := range t.Fields {
			items = append(items, printField(f))
		}
	}
	for i, it := range items {
		if i > 0 && strings.HasPrefix(strings.TrimSpace(it), `"""`) {
			b.WriteString("\n")
		}
		b.WriteString(it + "\n")
	}
	b.WriteString("}")
	return b.String()
}

func printField(f *Field) string {
	var b strings.Builder
	if f.Description != "" {
		b.WriteString(description(f.Description, "  ") + "\n")
	}
	b.WriteString("  " + f.Name)
	if len(f.Args) > 0 {
		multiline := false
		for _, a := range f.Args {
			if a.Description != "" {
				multiline = true
			}
		}
		args := make([]string, len(f.Args))
		for i, a := range f.Args {
			s := a.Name + ": " + a.Type
			if a.Default != nil {
				s += " = " + ValueString(a.Default)
			}
			s += directives(a.Directives)
			if multiline {
				if a.Description != "" {
					s = description(a.Description, "    ") + "\n    " + s
				} else {
					s = "    " + s
				}
			}
			args[i] = s
		}
		if multiline {
			b.WriteString("(\n" + strings.Join(args, "\n") + "\n  )")
		} else {
			b.WriteString("(" + strings.Join(args, ", ") + ")")
		}
	}
	b.WriteString(": " + f.Type)
	if f.Default != nil {
		b.WriteString(" = " + ValueString(f.Default))
	}
	b.WriteString(directives(f.Directives))
	return b.String()
}
