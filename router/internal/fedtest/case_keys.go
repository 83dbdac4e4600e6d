package fedtest

func caseCompoundKey() Case {
	return Case{
		Name:        "compound-key",
		Description: "Entity calls through a compound @key (sku region); an entity missing in the second subgraph leaves its nullable fields null.",
		Subgraphs:   []string{"catalog", "pricing"},
		Fetches:     map[string]map[string]int{"listings-prices": {"catalog": 1, "pricing": 1}},
		Resolvers: func() map[string]Resolvers {
			listings := Table{
				{"sku": "A1", "region": "EU", "title": "Kettle"},
				{"sku": "A1", "region": "US", "title": "Kettle"},
				{"sku": "B2", "region": "EU", "title": "Toaster"},
			}
			prices := Table{
				{"sku": "A1", "region": "EU", "price": 30.5, "currency": "EUR"},
				{"sku": "A1", "region": "US", "price": 35, "currency": "USD"},
			}
			return map[string]Resolvers{
				"catalog": {
					Root: map[string]map[string]any{"Query": {
						"listings": listings.All(),
						"listing": FieldFunc(func(args map[string]any) (any, error) {
							return listings.Lookup("sku", "region")(args)
						}),
					}},
					Entities: map[string]EntityFunc{"Listing": listings.Lookup("sku", "region")},
				},
				"pricing": {Entities: map[string]EntityFunc{"Listing": prices.Lookup("sku", "region")}},
			}
		},
	}
}

func caseNestedKey() Case {
	return Case{
		Name:        "nested-key",
		Description: "Entity calls through a nested @key (id org { id }) in both directions.",
		Subgraphs:   []string{"accounts", "roles"},
		Resolvers: func() map[string]Resolvers {
			users := Table{
				{"id": "u1", "org": Obj{"id": "o1", "name": "Acme"}, "name": "Ada"},
				{"id": "u1", "org": Obj{"id": "o2", "name": "Globex"}, "name": "Ada G."},
				{"id": "u2", "org": Obj{"id": "o1", "name": "Acme"}, "name": "Bob"},
			}
			roles := Table{
				{"id": "u1", "org": Obj{"id": "o1"}, "role": "owner"},
				{"id": "u1", "org": Obj{"id": "o2"}, "role": "viewer"},
				{"id": "u2", "org": Obj{"id": "o1"}, "role": "admin"},
			}
			return map[string]Resolvers{
				"accounts": {
					Root:     map[string]map[string]any{"Query": {"users": users.All()}},
					Entities: map[string]EntityFunc{"User": users.Lookup("id", "org")},
				},
				"roles": {
					Root:     map[string]map[string]any{"Query": {"admins": []any{roles[2], roles[0]}}},
					Entities: map[string]EntityFunc{"User": roles.Lookup("id", "org")},
				},
			}
		},
	}
}

func caseMultipleKeys() Case {
	return Case{
		Name:        "multiple-keys",
		Description: "Several @keys on one type: prices is reachable only by upc, legacy only references products by id with resolvable: false, so legacy -> catalog (id) -> prices (upc).",
		Subgraphs:   []string{"catalog", "prices", "legacy"},
		Fetches:     map[string]map[string]int{"featured-price": {"legacy": 1, "catalog": 1, "prices": 1}},
		Resolvers: func() map[string]Resolvers {
			products := Table{
				{"id": "1", "upc": "u-1", "name": "Pen"},
				{"id": "2", "upc": "u-2", "name": "Ink"},
				{"id": "3", "upc": "u-3", "name": "Paper"},
			}
			prices := Table{{"upc": "u-1", "price": 3}, {"upc": "u-2", "price": 12}, {"upc": "u-3", "price": 5}}
			lookup := func(rep map[string]any) (map[string]any, error) {
				if _, ok := rep["id"]; ok {
					return products.Lookup("id")(rep)
				}
				return products.Lookup("upc")(rep)
			}
			return map[string]Resolvers{
				"catalog": {
					Root:     map[string]map[string]any{"Query": {"products": products.All()}},
					Entities: map[string]EntityFunc{"Product": lookup},
				},
				"prices": {Entities: map[string]EntityFunc{"Product": prices.Lookup("upc")}},
				"legacy": {Root: map[string]map[string]any{"Query": {"featured": []any{Obj{"id": "3"}, Obj{"id": "1"}}}}},
			}
		},
	}
}

func caseKeyChain() Case {
	return Case{
		Name:        "key-chain",
		Description: "A compound key whose members live in two other subgraphs: orders (orderNo) and carriers (carrier) must be fetched before tracking can be called.",
		Subgraphs:   []string{"orders", "carriers", "tracking"},
		Fetches:     map[string]map[string]int{"shipments-eta": {"orders": 1, "carriers": 1, "tracking": 1}},
		Resolvers: func() map[string]Resolvers {
			shipments := Table{
				{"id": "s1", "orderNo": "A-100"},
				{"id": "s2", "orderNo": "A-101"},
				{"id": "s3", "orderNo": "A-102"},
			}
			carriers := Table{{"id": "s1", "carrier": "DHL"}, {"id": "s2", "carrier": "UPS"}, {"id": "s3", "carrier": "DHL"}}
			tracking := Table{
				{"orderNo": "A-100", "carrier": "DHL", "eta": "2026-01-02", "status": "IN_TRANSIT"},
				{"orderNo": "A-101", "carrier": "UPS", "eta": nil, "status": "DELIVERED"},
				{"orderNo": "A-102", "carrier": "DHL", "eta": "2026-01-09", "status": "PACKED"},
			}
			return map[string]Resolvers{
				"orders": {
					Root: map[string]map[string]any{"Query": {
						"shipments": shipments.All(),
						"shipment": FieldFunc(func(args map[string]any) (any, error) {
							return shipments.Find("id", args["id"]), nil
						}),
					}},
					Entities: map[string]EntityFunc{"Shipment": shipments.Lookup("id")},
				},
				"carriers": {Entities: map[string]EntityFunc{"Shipment": carriers.Lookup("id")}},
				"tracking": {Entities: map[string]EntityFunc{"Shipment": tracking.Lookup("orderNo", "carrier")}},
			}
		},
	}
}
