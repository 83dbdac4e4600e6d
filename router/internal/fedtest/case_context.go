package fedtest

import "fmt"

func caseContext() Case {
	return Case{
		Name:        "context",
		Description: "@context/@fromContext: an argument filled from the nearest ancestor that sets the context, in the same subgraph, through lists, with an interface context selected by type, and from an ancestor whose context value another subgraph resolves.",
		Subgraphs:   []string{"billing", "users"},
		// A context field is fetched by entity fetch, one request per
		// distinct context value (three locales, two buyers' currencies).
		Fetches: map[string]map[string]int{
			"same-subgraph":     {"users": 2, "billing": 0},
			"through-list":      {"users": 4, "billing": 0},
			"interface-context": {"users": 3, "billing": 0},
			"other-subgraph":    {"users": 1, "billing": 3},
			"error-path":        {"users": 4, "billing": 0},
		},
		Resolvers: func() map[string]Resolvers {
			hello := map[string]string{"fr": "bonjour", "de": "hallo"}
			cart := func(id string) Obj {
				return Obj{"id": id, "greeting": FieldFunc(func(args map[string]any) (any, error) {
					if g, ok := hello[fmt.Sprint(args["locale"])]; ok {
						return g + " from " + id, nil
					}
					return fmt.Sprintf("hello from %s (locale %v)", id, args["locale"]), nil
				}), "farewell": FieldFunc(func(args map[string]any) (any, error) {
					// An error in the second of three requests (one per
					// locale) must land on the second user's cart.
					if args["locale"] == "de" {
						return nil, fmt.Errorf("no farewell in %v", args["locale"])
					}
					return fmt.Sprintf("bye from %s", id), nil
				})}
			}
			wallet := func(id string) Obj {
				return Obj{"id": id, "owner": FieldFunc(func(args map[string]any) (any, error) {
					return fmt.Sprintf("%s owned by %v", id, args["name"]), nil
				})}
			}
			users := Table{
				{"id": "u1", "name": "Ada", "locale": "fr", "cart": Obj{"id": "c1"}, "orders": []any{Obj{"id": "o1"}, Obj{"id": "o2"}}},
				{"id": "u2", "name": "Bob", "locale": "de", "cart": Obj{"id": "c2"}, "orders": []any{Obj{"id": "o3"}}},
				{"id": "u3", "name": "Cy", "locale": nil, "cart": Obj{"id": "c3"}, "orders": []any{}},
			}
			withCarts := func(u Obj) Obj {
				if u == nil {
					return nil
				}
				out := Obj{}
				for k, v := range u {
					out[k] = v
				}
				if c, ok := u["cart"].(Obj); ok {
					out["cart"] = cart(fmt.Sprint(c["id"]))
				}
				return out
			}
			accounts := []any{
				Obj{"__typename": "Person", "id": "p1", "firstName": "Ada", "wallet": Obj{"id": "w1"}},
				Obj{"__typename": "Company", "id": "k1", "legalName": "Acme", "wallet": Obj{"id": "w2"}},
			}
			currency := map[string]any{"u1": "EUR", "u2": "CHF", "u3": nil}
			return map[string]Resolvers{
				"users": {
					Root: map[string]map[string]any{"Query": {
						"user": FieldFunc(func(args map[string]any) (any, error) {
							return withCarts(users.Find("id", args["id"])), nil
						}),
						"users": FieldFunc(func(map[string]any) (any, error) {
							out := make([]any, len(users))
							for i, u := range users {
								out[i] = withCarts(u)
							}
							return out, nil
						}),
						"accounts": accounts,
					}},
					Entities: map[string]EntityFunc{
						"User": func(rep map[string]any) (map[string]any, error) { return withCarts(users.Find("id", rep["id"])), nil },
						"Cart": func(rep map[string]any) (map[string]any, error) { return cart(fmt.Sprint(rep["id"])), nil },
						"Wallet": func(rep map[string]any) (map[string]any, error) {
							return wallet(fmt.Sprint(rep["id"])), nil
						},
						"Order": func(rep map[string]any) (map[string]any, error) { return Obj{"id": rep["id"]}, nil },
					},
				},
				"billing": {Entities: map[string]EntityFunc{
					"User": func(rep map[string]any) (map[string]any, error) {
						return Obj{"id": rep["id"], "currency": currency[fmt.Sprint(rep["id"])]}, nil
					},
					"Order": func(rep map[string]any) (map[string]any, error) {
						id := fmt.Sprint(rep["id"])
						return Obj{"id": id, "price": FieldFunc(func(args map[string]any) (any, error) {
							return fmt.Sprintf("%s in %v", id, args["currency"]), nil
						})}, nil
					},
				}},
			}
		},
	}
}
