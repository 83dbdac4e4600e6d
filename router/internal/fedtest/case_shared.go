package fedtest

import (
	"fmt"
	"sync"
)

func caseShareable() Case {
	return Case{
		Name:        "shareable",
		Description: "@shareable root fields and value types: fields owned by only one of the sharing subgraphs need that subgraph too, and a shared value type's subfields split across subgraphs are reached through the parent entity.",
		Subgraphs:   []string{"a", "b"},
		Resolvers: func() map[string]Resolvers {
			aProducts := Table{
				{"id": "1", "name": "Mug", "dims": Obj{"width": 8}},
				{"id": "2", "name": "Jug", "dims": Obj{"width": 15}},
			}
			bProducts := Table{
				{"id": "1", "name": "Mug", "weight": 300, "dims": Obj{"depth": 9}},
				{"id": "2", "name": "Jug", "weight": 900, "dims": Obj{"depth": 14}},
			}
			return map[string]Resolvers{
				"a": {
					Root: map[string]map[string]any{"Query": {
						"settings": Obj{"theme": "dark", "fromA": "alpha"},
						"products": aProducts.All(),
					}},
					Entities: map[string]EntityFunc{"Product": aProducts.Lookup("id")},
				},
				"b": {
					Root: map[string]map[string]any{"Query": {
						"settings": Obj{"theme": "dark", "fromB": "beta"},
						"products": bProducts.All(),
					}},
					Entities: map[string]EntityFunc{"Product": bProducts.Lookup("id")},
				},
			}
		},
	}
}

func caseOverride() Case {
	return Case{
		Name:        "override",
		Description: "@override: price moved from b to a (b still has stale data and must not be asked for it), stock overridden from a subgraph that does not exist.",
		Subgraphs:   []string{"a", "b"},
		Fetches: map[string]map[string]int{
			"prices":                      {"a": 1, "b": 0},
			"stock-from-missing-subgraph": {"a": 1, "b": 0},
		},
		Resolvers: func() map[string]Resolvers {
			a := Table{
				{"id": "1", "name": "Bolt", "price": 2, "stock": 500},
				{"id": "2", "name": "Nut", "price": 1, "stock": 0},
			}
			b := Table{{"id": "1", "price": 999, "reviewCount": 4}, {"id": "2", "price": 999, "reviewCount": 0}}
			return map[string]Resolvers{
				"a": {
					Root:     map[string]map[string]any{"Query": {"products": a.All()}},
					Entities: map[string]EntityFunc{"Product": a.Lookup("id")},
				},
				"b": {Entities: map[string]EntityFunc{"Product": b.Lookup("id")}},
			}
		},
	}
}

func caseSkipInclude() Case {
	return Case{
		Name:        "skip-include",
		Description: "@skip/@include with literals, variables (with defaults), on fields, inline fragments and fragment spreads: excluded fields owned by b must not cause a fetch to b.",
		Subgraphs:   []string{"a", "b"},
		Fetches: map[string]map[string]int{
			"skip-literal":           {"b": 0},
			"include-variable-false": {"b": 0},
			"skip-fragment":          {"b": 0},
			"include-variable-true":  {"b": 1},
		},
		Resolvers: func() map[string]Resolvers {
			p := Obj{"id": "p1", "name": "Radio"}
			return map[string]Resolvers{
				"a": {
					Root:     map[string]map[string]any{"Query": {"product": p}},
					Entities: map[string]EntityFunc{"Product": Table{p}.Lookup("id")},
				},
				"b": {Entities: map[string]EntityFunc{
					"Product": Table{{"id": "p1", "rating": 4.2, "reviews": []any{"Loud", "Clear"}}}.Lookup("id"),
				}},
			}
		},
	}
}

// itemStore is shared by the two mutation subgraphs so that the effect of
// running mutations out of order is visible in the response.
type itemStore struct {
	mu     sync.Mutex
	prices map[string]any
}

func caseMutations() Case {
	return Case{
		Name:        "mutations",
		Description: "Mutations on two subgraphs run one after another in document order (setPrice fails for an item not yet added; addItem resets the price), with entity calls for their results.",
		Subgraphs:   []string{"items", "prices"},
		Resolvers: func() map[string]Resolvers {
			store := &itemStore{prices: map[string]any{}}
			item := func(rep map[string]any) (map[string]any, error) {
				store.mu.Lock()
				defer store.mu.Unlock()
				id := fmt.Sprint(rep["id"])
				if _, ok := store.prices[id]; !ok {
					return nil, nil
				}
				return Obj{"id": id, "name": id, "price": store.prices[id]}, nil
			}
			return map[string]Resolvers{
				"items": {
					Root: map[string]map[string]any{
						"Query": {"item": FieldFunc(func(args map[string]any) (any, error) { return item(args) })},
						"Mutation": {"addItem": FieldFunc(func(args map[string]any) (any, error) {
							store.mu.Lock()
							defer store.mu.Unlock()
							name := Arg(args, "name")
							store.prices[name] = nil
							return Obj{"id": name, "name": name}, nil
						})},
					},
					Entities: map[string]EntityFunc{"Item": item},
				},
				"prices": {
					Root: map[string]map[string]any{"Mutation": {"setPrice": FieldFunc(func(args map[string]any) (any, error) {
						store.mu.Lock()
						defer store.mu.Unlock()
						id := Arg(args, "id")
						if _, ok := store.prices[id]; !ok {
							return nil, errorWithCode(fmt.Sprintf("item %s does not exist", id), "NOT_FOUND")
						}
						store.prices[id] = args["price"]
						return Obj{"id": id, "price": args["price"]}, nil
					})}},
					Entities: map[string]EntityFunc{"Item": item},
				},
			}
		},
	}
}
