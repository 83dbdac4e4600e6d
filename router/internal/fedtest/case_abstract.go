package fedtest

func caseUnionIntersection() Case {
	return Case{
		Name:        "union-intersection",
		Description: "A union whose members differ per subgraph (a: Book|Film, b: Film|Game): fragments on members a subgraph lacks must not be sent to it; Film fields are spread over both.",
		Subgraphs:   []string{"a", "b"},
		Resolvers: func() map[string]Resolvers {
			a := Table{
				{"__typename": "Book", "id": "k1", "title": "Ulysses"},
				{"__typename": "Film", "id": "f1", "title": "Heat"},
			}
			b := Table{
				{"__typename": "Game", "id": "g1", "name": "Go"},
				{"__typename": "Film", "id": "f1", "rating": 8},
				{"__typename": "Film", "id": "f2", "rating": nil},
			}
			films := Table{{"__typename": "Film", "id": "f1", "title": "Heat"}, {"__typename": "Film", "id": "f2", "title": "Ran"}}
			return map[string]Resolvers{
				"a": {
					Root: map[string]map[string]any{"Query": {"resultsA": a.All()}},
					Entities: map[string]EntityFunc{
						"Book": typed(a, "Book"),
						"Film": typed(films, "Film"),
					},
				},
				"b": {
					Root: map[string]map[string]any{"Query": {"resultsB": b.All()}},
					Entities: map[string]EntityFunc{
						"Film": typed(b, "Film"),
						"Game": typed(b, "Game"),
					},
				},
			}
		},
	}
}

func caseInterfaceMembersDiffer() Case {
	return Case{
		Name:        "interface-members-differ",
		Description: "An interface whose implementations differ per subgraph (a: Admin, Customer; b: Customer, Guest), with type-specific fields from the other subgraph.",
		Subgraphs:   []string{"a", "b"},
		Resolvers: func() map[string]Resolvers {
			a := Table{
				{"__typename": "Admin", "id": "1", "name": "Root", "level": 9},
				{"__typename": "Customer", "id": "2", "name": "Cleo"},
			}
			b := Table{
				{"__typename": "Customer", "id": "2", "name": "Cleo", "loyalty": 120},
				{"__typename": "Guest", "id": "3", "name": "Anon"},
				{"__typename": "Customer", "id": "4", "name": "Dan", "loyalty": nil},
			}
			return map[string]Resolvers{
				"a": {
					Root: map[string]map[string]any{"Query": {"accounts": a.All()}},
					Entities: map[string]EntityFunc{
						"Admin":    typed(a, "Admin"),
						"Customer": typed(Table{a[1], {"__typename": "Customer", "id": "4", "name": "Dan"}}, "Customer"),
					},
				},
				"b": {
					Root: map[string]map[string]any{"Query": {"visitors": b.All()}},
					Entities: map[string]EntityFunc{
						"Customer": typed(b, "Customer"),
						"Guest":    typed(b, "Guest"),
					},
				},
			}
		},
	}
}

func caseChildTypeMismatch() Case {
	return Case{
		Name:        "child-type-mismatch",
		Description: "Fields of the same name with different nullability or types across union members: valid for clients through the supergraph types, but the subgraph query needs aliases; a client query merging String! with String is rejected.",
		Subgraphs:   []string{"a", "b"},
		Resolvers: func() map[string]Resolvers {
			a := Table{
				{"__typename": "Book", "id": "1", "title": "Walden", "size": 250, "code": "BK-1"},
				{"__typename": "Clip", "id": "2", "title": nil, "size": "4MB", "code": nil},
				{"__typename": "Clip", "id": "3", "title": "Sunset", "size": "9MB", "code": "CL-3"},
			}
			return map[string]Resolvers{
				"a": {
					Root:     map[string]map[string]any{"Query": {"media": a.All()}},
					Entities: map[string]EntityFunc{"Book": typed(a, "Book"), "Clip": typed(a, "Clip")},
				},
				"b": {Entities: map[string]EntityFunc{"Book": Table{{"id": "1", "title": "Walden", "isbn": "978-0"}}.Lookup("id")}},
			}
		},
	}
}
