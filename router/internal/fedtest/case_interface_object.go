package fedtest

import "fmt"

// typed returns an EntityFunc that finds a row by id but only when it has the
// given __typename, as a concrete-type entity resolver does.
func typed(t Table, typename string) EntityFunc {
	return func(rep map[string]any) (map[string]any, error) {
		row, _ := t.Lookup("id")(rep)
		if row == nil || row["__typename"] != typename {
			return nil, nil
		}
		return row, nil
	}
}

func caseInterfaceObject() Case {
	return Case{
		Name:        "interface-object",
		Description: "@interfaceObject: reviews adds fields to the Media interface without knowing its implementations; the router must ask catalog for the concrete __typename and fragment fields.",
		Subgraphs:   []string{"catalog", "reviews"},
		Resolvers: func() map[string]Resolvers {
			media := Table{
				{"__typename": "Book", "id": "b1", "title": "Dune", "pages": 412},
				{"__typename": "Song", "id": "s1", "title": "Blue", "seconds": 201},
				{"__typename": "Book", "id": "b2", "title": "Emma", "pages": 320},
			}
			reviews := Table{
				{"id": "b1", "rating": 4.8, "reviews": []any{"Epic"}},
				{"id": "s1", "rating": 3.9, "reviews": []any{"Catchy", "Short"}},
				{"id": "b2", "rating": nil, "reviews": []any{}},
			}
			return map[string]Resolvers{
				"catalog": {
					Root: map[string]map[string]any{"Query": {
						"library": media.All(),
						"media": FieldFunc(func(args map[string]any) (any, error) {
							return media.Find("id", args["id"]), nil
						}),
					}},
					Entities: map[string]EntityFunc{
						"Media": media.Lookup("id"),
						"Book":  typed(media, "Book"),
						"Song":  typed(media, "Song"),
					},
				},
				"reviews": {
					Root: map[string]map[string]any{"Query": {"topRated": []any{
						Merge(reviews[0], Obj{"__typename": "Media"}),
						Merge(reviews[1], Obj{"__typename": "Media"}),
					}}},
					Entities: map[string]EntityFunc{"Media": reviews.Lookup("id")},
				},
			}
		},
	}
}

func caseInterfaceObjectRequires() Case {
	return Case{
		Name:        "interface-object-requires",
		Description: "@requires on an @interfaceObject field: greetings needs the interface field name from accounts for every implementation.",
		Subgraphs:   []string{"accounts", "greetings"},
		Resolvers: func() map[string]Resolvers {
			accounts := Table{
				{"__typename": "User", "id": "u1", "name": "Ada", "email": "ada@example.com"},
				{"__typename": "Bot", "id": "x1", "name": "Crawler", "owner": "Ada"},
			}
			return map[string]Resolvers{
				"accounts": {
					Root: map[string]map[string]any{"Query": {"accounts": accounts.All()}},
					Entities: map[string]EntityFunc{
						"Account": accounts.Lookup("id"),
						"User":    typed(accounts, "User"),
						"Bot":     typed(accounts, "Bot"),
					},
				},
				"greetings": {Entities: map[string]EntityFunc{"Account": func(rep map[string]any) (map[string]any, error) {
					if err := Need(rep, "name"); err != nil {
						return nil, err
					}
					return Obj{"id": rep["id"], "greeting": fmt.Sprintf("Hello, %v!", rep["name"])}, nil
				}}},
			}
		},
	}
}

func caseInterfaceObjectNonResolvable() Case {
	return Case{
		Name:        "interface-object-nonresolvable",
		Description: "An @interfaceObject with resolvable: false: pins only references Node by id; every field and the concrete __typename come from posts.",
		Subgraphs:   []string{"posts", "pins"},
		Fetches:     map[string]map[string]int{"nodes": {"pins": 0}},
		Resolvers: func() map[string]Resolvers {
			nodes := Table{
				{"__typename": "Post", "id": "n1", "text": "Hello"},
				{"__typename": "Comment", "id": "n2", "body": "Nice post"},
				{"__typename": "Post", "id": "n3", "text": "Again"},
			}
			return map[string]Resolvers{
				"posts": {
					Root: map[string]map[string]any{"Query": {"nodes": nodes.All()}},
					Entities: map[string]EntityFunc{
						"Node":    nodes.Lookup("id"),
						"Post":    typed(nodes, "Post"),
						"Comment": typed(nodes, "Comment"),
					},
				},
				"pins": {Root: map[string]map[string]any{"Query": {"pinned": []any{
					Obj{"__typename": "Node", "id": "n2"},
					Obj{"__typename": "Node", "id": "n3"},
				}}}},
			}
		},
	}
}

func caseInterfaceObjectIndirect() Case {
	return Case{
		Name:        "interface-object-indirect",
		Description: "An @interfaceObject whose implementation Video is extended by a third subgraph (authors) that does not know the interface: playlist -> media (__typename) -> authors.",
		Subgraphs:   []string{"media", "playlist", "authors"},
		Resolvers: func() map[string]Resolvers {
			media := Table{
				{"__typename": "Video", "id": "v1", "title": "Intro"},
				{"__typename": "Podcast", "id": "p1", "title": "Talk"},
				{"__typename": "Video", "id": "v2", "title": "Outro"},
			}
			return map[string]Resolvers{
				"media": {Entities: map[string]EntityFunc{
					"Media":   media.Lookup("id"),
					"Video":   typed(media, "Video"),
					"Podcast": typed(media, "Podcast"),
				}},
				"playlist": {
					Root: map[string]map[string]any{"Query": {"playlist": []any{
						Obj{"__typename": "Media", "id": "v2", "position": 1},
						Obj{"__typename": "Media", "id": "p1", "position": 2},
						Obj{"__typename": "Media", "id": "v1", "position": 3},
					}}},
					Entities: map[string]EntityFunc{"Media": Table{
						{"id": "v1", "position": 3}, {"id": "p1", "position": 2}, {"id": "v2", "position": 1},
					}.Lookup("id")},
				},
				"authors": {Entities: map[string]EntityFunc{"Video": Table{
					{"id": "v1", "authorName": "Kim"}, {"id": "v2", "authorName": nil},
				}.Lookup("id")}},
			}
		},
	}
}
