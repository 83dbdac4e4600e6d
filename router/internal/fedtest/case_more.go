package fedtest

func caseSharedRootThree() Case {
	return Case{
		Name:        "shared-root-three",
		Description: "A @shareable root field in three subgraphs, each adding its own field to the returned value type: every subgraph owning a selected field must be called.",
		Subgraphs:   []string{"a", "b", "c"},
		Resolvers: func() map[string]Resolvers {
			return map[string]Resolvers{
				"a": {Root: map[string]map[string]any{"Query": {"config": Obj{"region": "eu-north", "aFlag": true}}}},
				"b": {Root: map[string]map[string]any{"Query": {"config": Obj{"region": "eu-north", "bLimit": 100}}}},
				"c": {Root: map[string]map[string]any{"Query": {"config": Obj{"region": "eu-north", "cMode": "strict"}}}},
			}
		},
	}
}

func caseOverrideWithRequires() Case {
	return Case{
		Name:        "override-with-requires",
		Description: "A field taken over with @override by a subgraph that computes it with @requires; the old owner still serves its other fields.",
		Subgraphs:   []string{"a", "b", "c"},
		Fetches:     map[string]map[string]int{"overridden-requires": {"c": 0}},
		Resolvers: func() map[string]Resolvers {
			products := Table{{"id": "1", "weight": 4}, {"id": "2", "weight": 30}}
			return map[string]Resolvers{
				"a": {
					Root:     map[string]map[string]any{"Query": {"products": products.All()}},
					Entities: map[string]EntityFunc{"Product": products.Lookup("id")},
				},
				"b": {Entities: map[string]EntityFunc{"Product": func(rep map[string]any) (map[string]any, error) {
					if err := Need(rep, "weight"); err != nil {
						return nil, err
					}
					return Obj{"id": rep["id"], "shipping": 3 + int(Num(rep["weight"]))}, nil
				}}},
				"c": {Entities: map[string]EntityFunc{"Product": Table{
					{"id": "1", "shipping": -1, "legacyCode": "L-1"},
					{"id": "2", "shipping": -1, "legacyCode": nil},
				}.Lookup("id")}},
			}
		},
	}
}

func caseTypenameEverywhere() Case {
	return Case{
		Name:        "typename-everywhere",
		Description: "__typename on the query and mutation roots, on union members, aliased, and on a union field contributed to an entity by another subgraph.",
		Subgraphs:   []string{"a", "b"},
		Resolvers: func() map[string]Resolvers {
			return map[string]Resolvers{
				"a": {
					Root: map[string]map[string]any{
						"Query": {"search": []any{
							Obj{"__typename": "Product", "id": "p1"},
							Obj{"__typename": "Article", "title": "News"},
							Obj{"__typename": "Product", "id": "p2"},
							Obj{"__typename": "Product", "id": "p3"},
						}},
						"Mutation": {"ping": "pong"},
					},
					Entities: map[string]EntityFunc{"Product": Table{{"id": "p1"}, {"id": "p2"}, {"id": "p3"}}.Lookup("id")},
				},
				"b": {Entities: map[string]EntityFunc{"Product": Table{
					{"id": "p1", "media": Obj{"__typename": "Image", "url": "https://img.invalid/1.png"}},
					{"id": "p2", "media": Obj{"__typename": "Video", "seconds": 30}},
					{"id": "p3", "media": nil},
				}.Lookup("id")}},
			}
		},
	}
}

func caseKeysMashup() Case {
	return Case{
		Name:        "keys-mashup",
		Description: "A reference-only subgraph (resolvable: false, key id) leads to the owner, which must supply a nested compound key (sku shop { id }) for the third subgraph.",
		Subgraphs:   []string{"a", "b", "c"},
		Resolvers: func() map[string]Resolvers {
			items := Table{
				{"id": "i1", "sku": "S-1", "shop": Obj{"id": "berlin", "city": "Berlin"}, "name": "Cup"},
				{"id": "i2", "sku": "S-1", "shop": Obj{"id": "oslo", "city": nil}, "name": "Cup"},
				{"id": "i3", "sku": "S-9", "shop": Obj{"id": "oslo", "city": nil}, "name": "Plate"},
			}
			stock := Table{
				{"sku": "S-1", "shop": Obj{"id": "berlin"}, "stock": 3},
				{"sku": "S-1", "shop": Obj{"id": "oslo"}, "stock": 0},
			}
			return map[string]Resolvers{
				"a": {Entities: map[string]EntityFunc{"Item": func(rep map[string]any) (map[string]any, error) {
					if _, ok := rep["id"]; ok {
						return items.Lookup("id")(rep)
					}
					return items.Lookup("sku", "shop")(rep)
				}}},
				"b": {Entities: map[string]EntityFunc{"Item": stock.Lookup("sku", "shop")}},
				"c": {Root: map[string]map[string]any{"Query": {"picks": []any{Obj{"id": "i3"}, Obj{"id": "i1"}, Obj{"id": "i2"}}}}},
			}
		},
	}
}

func caseProvidesInterface() Case {
	return Case{
		Name:        "provides-interface",
		Description: "@provides with type conditions on an interface-typed list, queried through the interface field name: names come from zoo alone, Dog.vaccinated from a third subgraph, Dog.breed from the owner.",
		Subgraphs:   []string{"animals", "zoo", "vets"},
		Fetches: map[string]map[string]int{
			"provided-interface-field":     {"zoo": 1, "animals": 0, "vets": 0},
			"provided-plus-third-subgraph": {"zoo": 1, "animals": 0, "vets": 1},
		},
		Resolvers: func() map[string]Resolvers {
			animals := Table{
				{"__typename": "Dog", "id": "d1", "name": "Rex", "breed": "Collie"},
				{"__typename": "Cat", "id": "c1", "name": "Tom"},
				{"__typename": "Dog", "id": "d2", "name": "Fido", "breed": nil},
			}
			return map[string]Resolvers{
				"animals": {Entities: map[string]EntityFunc{"Dog": typed(animals, "Dog"), "Cat": typed(animals, "Cat")}},
				"zoo": {Root: map[string]map[string]any{"Query": {"zoo": Obj{"city": "Lyon", "animals": []any{
					Obj{"__typename": "Dog", "id": "d1", "name": "Rex"},
					Obj{"__typename": "Cat", "id": "c1", "name": "Tom"},
					Obj{"__typename": "Dog", "id": "d2", "name": "Fido"},
				}}}}},
				"vets": {Entities: map[string]EntityFunc{"Dog": Table{
					{"id": "d1", "vaccinated": true}, {"id": "d2", "vaccinated": false},
				}.Lookup("id")}},
			}
		},
	}
}

func caseRequiresNestedEntity() Case {
	return Case{
		Name:        "requires-nested-entity",
		Description: "@requires(fields: \"owner { name }\") where owner is an entity whose name lives in a third subgraph: products -> users -> labels.",
		Subgraphs:   []string{"products", "users", "labels"},
		Resolvers: func() map[string]Resolvers {
			return map[string]Resolvers{
				"products": {Root: map[string]map[string]any{"Query": {"products": []any{
					Obj{"id": "p1", "owner": Obj{"id": "u1"}},
					Obj{"id": "p2", "owner": nil},
					Obj{"id": "p3", "owner": Obj{"id": "u2"}},
				}}}},
				"users": {Entities: map[string]EntityFunc{"User": Table{{"id": "u1", "name": "Ines"}, {"id": "u2", "name": "Jon"}}.Lookup("id")}},
				"labels": {Entities: map[string]EntityFunc{"Product": func(rep map[string]any) (map[string]any, error) {
					if err := Need(rep, "owner"); err != nil {
						return nil, err
					}
					owner, _ := rep["owner"].(map[string]any)
					if owner == nil {
						return Obj{"id": rep["id"], "label": "unowned"}, nil
					}
					if err := Need(owner, "name"); err != nil {
						return nil, err
					}
					return Obj{"id": rep["id"], "label": "owned by " + Arg(owner, "name")}, nil
				}}},
			}
		},
	}
}
