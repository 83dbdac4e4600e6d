package fedtest

func caseProvidesNested() Case {
	return Case{
		Name:        "provides-nested",
		Description: "Nested @provides (name vendor { name }): provided fields come from deals alone; other fields need entity calls to products and vendors.",
		Subgraphs:   []string{"products", "deals", "vendors"},
		Fetches: map[string]map[string]int{
			"provided-only": {"deals": 1, "products": 0, "vendors": 0},
		},
		Resolvers: func() map[string]Resolvers {
			vendors := Table{{"id": "v1", "name": "Nordic Oak"}, {"id": "v2", "name": "Steelworks"}}
			products := Table{
				{"id": "p1", "name": "Table", "price": 300, "vendor": Obj{"id": "v1"}},
				{"id": "p2", "name": "Shelf", "price": 90, "vendor": Obj{"id": "v2"}},
			}
			deals := []any{
				Obj{"id": "d1", "discount": 10, "product": Obj{"id": "p1", "name": "Table", "vendor": Obj{"id": "v1", "name": "Nordic Oak"}}},
				Obj{"id": "d2", "discount": 25, "product": Obj{"id": "p2", "name": "Shelf", "vendor": Obj{"id": "v2", "name": "Steelworks"}}},
			}
			return map[string]Resolvers{
				"products": {Entities: map[string]EntityFunc{
					"Product": products.Lookup("id"),
					"Vendor":  vendors.Lookup("id"),
				}},
				"deals": {Root: map[string]map[string]any{"Query": {"deals": deals}}},
				"vendors": {Entities: map[string]EntityFunc{
					"Vendor": Table{{"id": "v1", "country": "SE"}, {"id": "v2", "country": nil}}.Lookup("id"),
				}},
			}
		},
	}
}

func caseProvidesAbstract() Case {
	return Case{
		Name:        "provides-abstract",
		Description: "@provides through an interface-typed and a union-typed root field, with type conditions in the field set.",
		Subgraphs:   []string{"media", "feed"},
		Fetches: map[string]map[string]int{
			"feed-titles": {"feed": 1, "media": 0},
		},
		Resolvers: func() map[string]Resolvers {
			media := Table{
				{"__typename": "Book", "id": "b1", "title": "Solaris", "author": "Lem"},
				{"__typename": "Movie", "id": "m1", "title": "Stalker", "director": "Tarkovsky"},
				{"__typename": "Book", "id": "b2", "title": "Roadside Picnic", "author": "Strugatsky"},
			}
			lookup := func(typename string) EntityFunc {
				return func(rep map[string]any) (map[string]any, error) {
					row, _ := media.Lookup("id")(rep)
					if row == nil || row["__typename"] != typename {
						return nil, nil
					}
					return row, nil
				}
			}
			feed := []any{
				Obj{"__typename": "Book", "id": "b1", "title": "Solaris"},
				Obj{"__typename": "Movie", "id": "m1", "title": "Stalker"},
				Obj{"__typename": "Book", "id": "b2", "title": "Roadside Picnic"},
			}
			search := []any{
				Obj{"__typename": "Movie", "id": "m1"},
				Obj{"__typename": "Book", "id": "b2", "title": "Roadside Picnic"},
			}
			return map[string]Resolvers{
				"media": {Entities: map[string]EntityFunc{"Book": lookup("Book"), "Movie": lookup("Movie")}},
				"feed":  {Root: map[string]map[string]any{"Query": {"feed": feed, "search": search}}},
			}
		},
	}
}
