package satisfiability

import (
	"slices"
	"strings"

	"github.com/shopsupergraph/shop/compose/supergraph"
)

// message explains an unsatisfiable field the way Apollo does: the
// smallest query that cannot be planned, then why each subgraph the router
// could be in at that point cannot serve the last field.
func message(g *graph, st state, path []step, reasons []reason) string {
	var b strings.Builder
	b.WriteString("The following supergraph API query:\n")
	switch rootOf(g, path, st) {
	case "Mutation":
		b.WriteString("mutation ")
	case "Subscription":
		b.WriteString("subscription ")
	}
	writeWitness(&b, path, 0)
	b.WriteString("\ncannot be satisfied by the subgraphs because:\n")
	if len(reasons) == 0 {
		b.WriteString("- no subgraph can be reached at type \"" + st.typ + "\".")
	}
	// One line per subgraph, or a nested list when it has several reasons.
	var order []string
	bySubgraph := map[string][]string{}
	for _, r := range reasons {
		if _, ok := bySubgraph[r.subgraph]; !ok {
			order = append(order, r.subgraph)
		}
		if !slices.Contains(bySubgraph[r.subgraph], r.details) {
			bySubgraph[r.subgraph] = append(bySubgraph[r.subgraph], r.details)
		}
	}
	for i, sub := range order {
		if i > 0 {
			b.WriteString("\n")
		}
		b.WriteString("- from subgraph \"" + sub + "\":")
		details := bySubgraph[sub]
		if len(details) == 1 {
			b.WriteString(" " + details[0] + ".")
			continue
		}
		for _, d := range details {
			b.WriteString("\n  - " + d + ".")
		}
	}
	return b.String()
}

// rootOf finds the root type the path starts from: the state's type when
// the failing field is a root field, else the parent of the path's first
// field (every path starts at a root).
func rootOf(g *graph, path []step, st state) string {
	if len(st.path) == 0 {
		return st.typ
	}
	first := path[0].field
	for _, r := range g.roots {
		if ti := g.types[r]; ti != nil && first != nil && ti.def.Field(first.Name) == first {
			return r
		}
	}
	return "Query"
}

// writeWitness prints the path as a query, with a placeholder value for
// each required argument, e.g. `{ product(id: "") { price } }` laid out
// over several lines.
func writeWitness(b *strings.Builder, path []step, depth int) {
	indent := strings.Repeat("  ", depth+1)
	b.WriteString("{\n")
	s := path[0]
	b.WriteString(indent)
	if s.cast != "" {
		b.WriteString("... on " + s.cast)
	} else {
		b.WriteString(s.field.Name + witnessArgs(s.field.Args))
	}
	if len(path) > 1 {
		b.WriteString(" ")
		writeWitness(b, path[1:], depth+1)
	} else if s.field != nil && !isLeaf(s.field) {
		b.WriteString(" {\n" + indent + "  ...\n" + indent + "}")
	}
	b.WriteString("\n" + strings.Repeat("  ", depth) + "}")
}

func witnessArgs(args []*supergraph.Arg) string {
	var parts []string
	for _, a := range args {
		if !strings.HasSuffix(a.Type, "!") || a.Default != nil {
			continue
		}
		parts = append(parts, a.Name+": "+placeholder(a.Type))
	}
	if len(parts) == 0 {
		return ""
	}
	return "(" + strings.Join(parts, ", ") + ")"
}

func placeholder(t string) string {
	if strings.HasPrefix(t, "[") {
		return "[]"
	}
	switch namedType(t) {
	case "Int":
		return "0"
	case "Float":
		return "0.1"
	case "Boolean":
		return "true"
	case "String":
		return `"A string value"`
	case "ID":
		return `"<any id>"`
	}
	return "<any " + namedType(t) + ">"
}

// isLeaf guesses from the printed type whether a field needs a selection;
// the witness only uses it to show "..." under the failing field.
func isLeaf(f *supergraph.Field) bool {
	switch namedType(f.Type) {
	case "Int", "Float", "String", "Boolean", "ID":
		return true
	}
	return false
}
