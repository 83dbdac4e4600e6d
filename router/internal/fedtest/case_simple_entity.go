package fedtest

func caseSimpleEntity() Case {
	return Case{
		Name:        "simple-entity",
		Description: "Entity calls through a simple @key: batching per level, aliases, fragments, variables, a missing entity and a reverse chain back into the owner.",
		Subgraphs:   []string{"products", "inventory", "reviews"},
		Fetches: map[string]map[string]int{
			"all-products":    {"products": 1, "inventory": 1, "reviews": 0},
			"typename-nested": {"products": 2, "inventory": 1, "reviews": 1},
		},
		Resolvers: func() map[string]Resolvers {
			products := Table{
				{"id": "p1", "name": "Lamp", "price": 25},
				{"id": "p2", "name": "Desk", "price": 120},
				{"id": "p3", "name": "Chair", "price": 80},
			}
			stock := Table{
				{"id": "p1", "inStock": true, "quantity": 7},
				{"id": "p2", "inStock": false, "quantity": 0},
				{"id": "p3", "inStock": true, "quantity": nil},
			}
			r1 := Obj{"id": "r1", "body": "Bright", "rating": 5, "product": Obj{"id": "p1"}}
			r2 := Obj{"id": "r2", "body": "Wobbly", "rating": 2, "product": Obj{"id": "p1"}}
			r3 := Obj{"id": "r3", "body": "Comfy", "rating": 4, "product": Obj{"id": "p3"}}
			reviews := Table{
				{"id": "p1", "reviews": []any{r1, r2}},
				{"id": "p2", "reviews": []any{}},
				{"id": "p3", "reviews": []any{r3}},
			}
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
				"inventory": {Entities: map[string]EntityFunc{"Product": stock.Lookup("id")}},
				"reviews": {
					Root:     map[string]map[string]any{"Query": {"latestReview": r3}},
					Entities: map[string]EntityFunc{"Product": reviews.Lookup("id")},
				},
			}
		},
	}
}
