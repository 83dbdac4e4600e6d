package fedtest

import (
	"fmt"
	"strings"
)

func caseRequiresBasic() Case {
	return Case{
		Name:        "requires-basic",
		Description: "@requires of two external fields (one nullable); the required fields are fetched even when the client does not select them, and not at all when no @requires field is selected.",
		Subgraphs:   []string{"products", "shipping"},
		Fetches: map[string]map[string]int{
			"shipping-only":      {"products": 1, "shipping": 1},
			"no-requires-needed": {"products": 1, "shipping": 1},
		},
		Resolvers: func() map[string]Resolvers {
			products := Table{
				{"id": "1", "name": "Anvil", "weight": 50.0, "price": 120.0},
				{"id": "2", "name": "Feather", "weight": 0.1, "price": 2.5},
				{"id": "3", "name": "Gift card", "weight": nil, "price": 25.0},
			}
			carriers := map[string]any{"1": "freight", "2": "post", "3": nil}
			return map[string]Resolvers{
				"products": {
					Root: map[string]map[string]any{"Query": {
						"products": products.All(),
						"product": FieldFunc(func(args map[string]any) (any, error) {
							return products.Find("id", args["id"]), nil
						}),
					}},
					Entities: map[string]EntityFunc{"Product": products.Lookup("id")},
				},
				"shipping": {Entities: map[string]EntityFunc{"Product": func(rep map[string]any) (map[string]any, error) {
					out := Obj{"id": rep["id"], "carrier": carriers[fmt.Sprint(rep["id"])]}
					if _, ok := rep["price"]; ok {
						cost := Num(rep["weight"]) * 2
						if Num(rep["price"]) < 100 {
							cost += 5
						}
						out["shippingCost"] = cost
					}
					return out, nil
				}}},
			}
		},
	}
}

func caseRequiresChain() Case {
	return Case{
		Name:        "requires-chain",
		Description: "A chain of @requires across three subgraphs: total needs tax (from tax, which needs listPrice from base) and listPrice.",
		Subgraphs:   []string{"base", "tax", "total"},
		Resolvers: func() map[string]Resolvers {
			base := Table{{"id": "a", "listPrice": 100}, {"id": "b", "listPrice": 40}}
			return map[string]Resolvers{
				"base": {
					Root:     map[string]map[string]any{"Query": {"products": base.All()}},
					Entities: map[string]EntityFunc{"Product": base.Lookup("id")},
				},
				"tax": {Entities: map[string]EntityFunc{"Product": func(rep map[string]any) (map[string]any, error) {
					out := Obj{"id": rep["id"]}
					if _, ok := rep["listPrice"]; ok {
						out["tax"] = int(Num(rep["listPrice"]) / 5)
					}
					return out, nil
				}}},
				"total": {Entities: map[string]EntityFunc{"Product": func(rep map[string]any) (map[string]any, error) {
					out := Obj{"id": rep["id"]}
					if _, ok := rep["tax"]; ok {
						out["label"] = fmt.Sprintf("incl. %v tax", rep["tax"])
					}
					if _, ok := rep["listPrice"]; ok {
						if err := Need(rep, "tax"); err != nil {
							return nil, err
						}
						out["total"] = int(Num(rep["listPrice"]) + Num(rep["tax"]))
					}
					return out, nil
				}}},
			}
		},
	}
}

func caseRequiresCycle() Case {
	return Case{
		Name:        "requires-cycle",
		Description: "@requires in both directions between two subgraphs: books.summary needs ratings.rating, ratings.ratingLabel needs books.title, and ratings.blurb needs books.summary (books -> ratings -> books -> ratings).",
		Subgraphs:   []string{"books", "ratings"},
		Resolvers: func() map[string]Resolvers {
			books := Table{{"id": "b1", "title": "Dune"}, {"id": "b2", "title": "Emma"}, {"id": "b3", "title": "Ulysses"}}
			ratings := map[string]any{"b1": 4.5, "b2": 3.0, "b3": nil}
			return map[string]Resolvers{
				"books": {
					Root: map[string]map[string]any{"Query": {"books": books.All()}},
					Entities: map[string]EntityFunc{"Book": func(rep map[string]any) (map[string]any, error) {
						row, _ := books.Lookup("id")(rep)
						if row == nil {
							return nil, nil
						}
						out := Merge(row, nil)
						if _, ok := rep["rating"]; ok {
							if rep["rating"] == nil {
								out["summary"] = row["title"].(string) + " (unrated)"
							} else {
								out["summary"] = fmt.Sprintf("%s (%.1f stars)", row["title"], Num(rep["rating"]))
							}
						}
						return out, nil
					}},
				},
				"ratings": {Entities: map[string]EntityFunc{"Book": func(rep map[string]any) (map[string]any, error) {
					id := fmt.Sprint(rep["id"])
					out := Obj{"id": id, "rating": ratings[id]}
					if t, ok := rep["title"]; ok {
						label := "unrated"
						if ratings[id] != nil {
							label = fmt.Sprint(ratings[id])
						}
						out["ratingLabel"] = fmt.Sprintf("%v: %s", t, label)
					}
					if s, ok := rep["summary"]; ok {
						out["blurb"] = "Readers say " + strings.ToLower(fmt.Sprint(s))
					}
					return out, nil
				}}},
			}
		},
	}
}

func caseRequiresArgs() Case {
	return Case{
		Name:        "requires-args",
		Description: "@requires with field arguments in the field set; two @requires of the same field with different arguments in one query, plus client selections of that field with other arguments.",
		Subgraphs:   []string{"pricing", "labels"},
		Resolvers: func() map[string]Resolvers {
			rates := map[string]float64{"EUR": 1, "USD": 1.1, "GBP": 0.9}
			base := map[string]float64{"p1": 10, "p2": 200}
			product := func(id string) Obj {
				return Obj{"id": id, "price": FieldFunc(func(args map[string]any) (any, error) {
					r, ok := rates[Arg(args, "currency")]
					if !ok {
						return nil, fmt.Errorf("unknown currency %q", Arg(args, "currency"))
					}
					return base[id] * r, nil
				})}
			}
			return map[string]Resolvers{
				"pricing": {
					Root: map[string]map[string]any{"Query": {"products": []any{product("p1"), product("p2")}}},
					Entities: map[string]EntityFunc{"Product": func(rep map[string]any) (map[string]any, error) {
						if _, ok := base[fmt.Sprint(rep["id"])]; !ok {
							return nil, nil
						}
						return product(fmt.Sprint(rep["id"])), nil
					}},
				},
				"labels": {Entities: map[string]EntityFunc{"Product": func(rep map[string]any) (map[string]any, error) {
					// Both @requires name the same field, so a representation
					// carries one "price": the router fetches each argument
					// set separately and sends a separate representation.
					out := Obj{"id": rep["id"]}
					if p, ok := rep["price"]; ok {
						out["eurLabel"] = fmt.Sprintf("€%.2f", Num(p))
						out["usdLabel"] = fmt.Sprintf("$%.2f", Num(p))
					}
					return out, nil
				}}},
			}
		},
	}
}

func caseRequiresAbstract() Case {
	return Case{
		Name:        "requires-abstract",
		Description: "@requires whose field set selects an interface list with __typename and inline fragments.",
		Subgraphs:   []string{"orders", "shipping"},
		Resolvers: func() map[string]Resolvers {
			orders := Table{
				{"id": "o1", "items": []any{
					Obj{"__typename": "Book", "sku": "bk-1", "pages": 320},
					Obj{"__typename": "Film", "sku": "fm-1", "minutes": 95},
				}},
				{"id": "o2", "items": []any{Obj{"__typename": "Film", "sku": "fm-2", "minutes": 120}}},
			}
			return map[string]Resolvers{
				"orders": {
					Root:     map[string]map[string]any{"Query": {"orders": orders.All()}},
					Entities: map[string]EntityFunc{"Order": orders.Lookup("id")},
				},
				"shipping": {Entities: map[string]EntityFunc{"Order": func(rep map[string]any) (map[string]any, error) {
					if err := Need(rep, "items"); err != nil {
						return nil, err
					}
					var parts []string
					items, _ := rep["items"].([]any)
					for _, it := range items {
						m, _ := it.(map[string]any)
						switch m["__typename"] {
						case "Book":
							parts = append(parts, fmt.Sprintf("%v: %v pages", m["sku"], m["pages"]))
						case "Film":
							parts = append(parts, fmt.Sprintf("%v: %v min", m["sku"], m["minutes"]))
						default:
							return nil, fmt.Errorf("item without __typename: %v", m)
						}
					}
					return Obj{"id": rep["id"], "packingNote": strings.Join(parts, "; ")}, nil
				}}},
			}
		},
	}
}
