package fedtest

func caseOverrideProgressive() Case {
	return Case{
		Name:        "override-progressive",
		Description: "Progressive @override: price moves from legacy to modern with percent(50), stock with the label beta; both subgraphs hold the same values, so only the subgraph called differs.",
		Subgraphs:   []string{"legacy", "modern"},
		Resolvers: func() map[string]Resolvers {
			products := Table{
				{"id": "p1", "name": "Lamp", "price": 25, "stock": 7},
				{"id": "p2", "name": "Desk", "price": 120, "stock": 0},
			}
			return map[string]Resolvers{
				"legacy": {
					Root:     map[string]map[string]any{"Query": {"products": products.All()}},
					Entities: map[string]EntityFunc{"Product": products.Lookup("id")},
				},
				"modern": {Entities: map[string]EntityFunc{"Product": products.Lookup("id")}},
			}
		},
	}
}
