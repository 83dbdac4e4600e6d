package fedtest

func caseDemandControl() Case {
	return Case{
		Name:        "demand-control",
		Description: "@cost and @listSize: slicing arguments from variables, assumed sizes, sized fields and weights across two subgraphs (router demand control).",
		Subgraphs:   []string{"catalog", "reviews"},
		Fetches: map[string]map[string]int{
			"products-first": {"catalog": 1, "reviews": 1},
			"catalog":        {"catalog": 1, "reviews": 0},
		},
		Resolvers: func() map[string]Resolvers {
			products := Table{
				{"id": "p1", "name": "Lamp", "price": 25},
				{"id": "p2", "name": "Desk", "price": 120},
				{"id": "p3", "name": "Chair", "price": 80},
			}
			reviews := Table{
				{"id": "p1", "reviews": []any{Obj{"id": "r1", "stars": 5}, Obj{"id": "r2", "stars": 2}}},
				{"id": "p2", "reviews": []any{}},
				{"id": "p3", "reviews": []any{Obj{"id": "r3", "stars": 4}}},
			}
			return map[string]Resolvers{
				"catalog": {
					Root: map[string]map[string]any{"Query": {
						"products": FieldFunc(func(args map[string]any) (any, error) {
							all := products.All()
							if n, ok := args["first"]; ok && n != nil && int(Num(n)) < len(all) {
								all = all[:max(int(Num(n)), 0)]
							}
							return all, nil
						}),
						"product": FieldFunc(func(args map[string]any) (any, error) {
							return products.Find("id", args["id"]), nil
						}),
						"catalog": Obj{"total": len(products), "items": products.All()},
					}},
					Entities: map[string]EntityFunc{"Product": products.Lookup("id")},
				},
				"reviews": {Entities: map[string]EntityFunc{"Product": reviews.Lookup("id")}},
			}
		},
	}
}
