package fedtest

import (
	"fmt"
	"sort"
	"strings"
)

func caseEnumIntersection() Case {
	return Case{
		Name:        "enum-intersection",
		Description: "Enums across subgraphs: an input-only enum keeps the intersection of values, an output-only enum the union, and an @inaccessible value is rejected in literals and variables and cannot leak in output.",
		Subgraphs:   []string{"a", "b"},
		Fetches: map[string]map[string]int{
			"inaccessible-value-literal-rejected":  {"a": 0, "b": 0},
			"inaccessible-value-variable-rejected": {"a": 0, "b": 0},
			"value-outside-intersection-rejected":  {"a": 0, "b": 0},
		},
		Resolvers: func() map[string]Resolvers {
			products := Table{
				{"id": "p1", "category": "BOOKS"},
				{"id": "p2", "category": "TOYS"},
				{"id": "p3", "category": "HIDDEN"},
			}
			paint := FieldFunc(func(args map[string]any) (any, error) {
				return "painted " + strings.ToLower(Arg(args, "color")), nil
			})
			return map[string]Resolvers{
				"a": {
					Root: map[string]map[string]any{"Query": {
						"products": FieldFunc(func(args map[string]any) (any, error) {
							var out []any
							for _, p := range products {
								if c := Arg(args, "category"); c == "" || p["category"] == c {
									out = append(out, p)
								}
							}
							return out, nil
						}),
						"paintA":  paint,
						"statusA": "ACTIVE",
					}},
					Entities: map[string]EntityFunc{"Product": products.Lookup("id")},
				},
				"b": {Root: map[string]map[string]any{"Query": {
					"categories": []any{"BOOKS", "HIDDEN", "TOYS"},
					"paintB":     paint,
					"statusB":    []any{"ACTIVE", "RETIRED"},
				}}},
			}
		},
	}
}

// describeInput renders an input object with sorted keys, so the response
// shows exactly which fields (and defaults) reached the subgraph.
func describeInput(v any) string {
	m, ok := v.(map[string]any)
	if !ok {
		return fmt.Sprint(v)
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%s=%v", k, m[k])
	}
	return strings.Join(parts, ",")
}

func caseInputIntersection() Case {
	return Case{
		Name:        "input-intersection",
		Description: "Input objects across subgraphs keep only fields every subgraph has; an @inaccessible or dropped field is rejected (literal or variable) before any subgraph is called; defaults apply.",
		Subgraphs:   []string{"a", "b"},
		Fetches: map[string]map[string]int{
			"inaccessible-field-rejected":     {"a": 0, "b": 0},
			"dropped-field-rejected":          {"a": 0, "b": 0},
			"dropped-field-variable-rejected": {"a": 0, "b": 0},
		},
		Resolvers: func() map[string]Resolvers {
			return map[string]Resolvers{
				"a": {Root: map[string]map[string]any{"Query": {
					"searchA": FieldFunc(func(args map[string]any) (any, error) {
						return []any{"a:" + describeInput(args["filter"])}, nil
					}),
				}}},
				"b": {Root: map[string]map[string]any{"Query": {
					"searchB": FieldFunc(func(args map[string]any) (any, error) {
						return []any{"b:" + describeInput(args["filter"]), "sort:" + describeInput(args["sort"])}, nil
					}),
				}}},
			}
		},
	}
}
