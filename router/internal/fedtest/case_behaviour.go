package fedtest

import (
	"errors"
	"net/http"
)

func caseErrorsPropagation() Case {
	return Case{
		Name:        "errors-propagation",
		Description: "Subgraph errors keep their extensions and get response paths; a failing non-null entity field nulls its nearest nullable ancestor (list item or the whole data); a failing entity resolver nulls that entity's fields.",
		Subgraphs:   []string{"a", "b"},
		Resolvers: func() map[string]Resolvers {
			products := Table{{"id": "p1", "name": "Oak"}, {"id": "p2", "name": "Elm"}, {"id": "p3", "name": "Ash"}}
			failing := func(msg, code string) FieldFunc {
				return func(map[string]any) (any, error) { return nil, errorWithCode(msg, code) }
			}
			b := Table{
				{"id": "p1", "rating": 5, "score": 10, "reviewCount": 3},
				{"id": "p2", "rating": failing("rating unavailable", "RATING_UNAVAILABLE"), "score": failing("score unavailable", "SCORE_UNAVAILABLE"), "reviewCount": 0},
			}
			return map[string]Resolvers{
				"a": {
					Root: map[string]map[string]any{"Query": {
						"products":      products.All(),
						"maybeProducts": products.All(),
						"failing":       failing("service unavailable", "UNAVAILABLE"),
					}},
					Entities: map[string]EntityFunc{"Product": products.Lookup("id")},
				},
				"b": {Entities: map[string]EntityFunc{"Product": func(rep map[string]any) (map[string]any, error) {
					if rep["id"] == "p3" {
						return nil, errors.New("review store timeout")
					}
					return b.Lookup("id")(rep)
				}}},
			}
		},
	}
}

func caseInaccessible() Case {
	return Case{
		Name:        "inaccessible",
		Description: "@inaccessible fields, types and root fields are hidden from clients (validation, introspection) but still used between router and subgraphs (@requires of an inaccessible field).",
		Subgraphs:   []string{"a", "b"},
		Fetches: map[string]map[string]int{
			"inaccessible-field-rejected": {"a": 0, "b": 0},
			"inaccessible-root-rejected":  {"a": 0, "b": 0},
		},
		Resolvers: func() map[string]Resolvers {
			users := Table{{"id": "u1", "name": "Uma", "internalNote": "vip"}}
			return map[string]Resolvers{
				"a": {
					Root:     map[string]map[string]any{"Query": {"user": users[0], "secret": Obj{"code": "0000"}}},
					Entities: map[string]EntityFunc{"User": users.Lookup("id")},
				},
				"b": {Entities: map[string]EntityFunc{"User": func(rep map[string]any) (map[string]any, error) {
					if err := Need(rep, "internalNote"); err != nil {
						return nil, err
					}
					return Obj{"id": rep["id"], "greeting": "Welcome back, " + Arg(rep, "internalNote") + " member"}, nil
				}}},
			}
		},
	}
}

// headerValue returns a HeaderFunc reporting one request header (null when
// the router did not send it).
func headerValue(name string) HeaderFunc {
	return func(_ map[string]any, h http.Header) (any, error) {
		if v := h.Get(name); v != "" {
			return v, nil
		}
		return nil, nil
	}
}

func caseHeaders() Case {
	return Case{
		Name:        "headers",
		Description: "Default header propagation: Authorization and x-api-key reach every subgraph (root and entity fetches); other client headers do not.",
		Subgraphs:   []string{"a", "b"},
		Resolvers: func() map[string]Resolvers {
			return map[string]Resolvers{
				"a": {
					Root:     map[string]map[string]any{"Query": {"whoami": headerValue("Authorization"), "me": Obj{"id": "u1"}}},
					Entities: map[string]EntityFunc{"User": Table{{"id": "u1"}}.Lookup("id")},
				},
				"b": {Entities: map[string]EntityFunc{"User": func(rep map[string]any) (map[string]any, error) {
					return Obj{"id": rep["id"], "apiKey": headerValue("x-api-key"), "custom": headerValue("X-Custom")}, nil
				}}},
			}
		},
	}
}

func caseBatchingLevels() Case {
	return Case{
		Name:        "batching-levels",
		Description: "Entity fetches under nested lists are batched: one _entities request per subgraph and level, with the same product under two categories.",
		Subgraphs:   []string{"shop", "stock", "reviews", "users"},
		Fetches: map[string]map[string]int{
			"three-levels": {"shop": 1, "stock": 1, "reviews": 1, "users": 1},
			"reviews-only": {"shop": 1, "stock": 0, "reviews": 1, "users": 1},
		},
		Resolvers: func() map[string]Resolvers {
			p1 := Obj{"id": "p1", "name": "Saw"}
			p2 := Obj{"id": "p2", "name": "Rake"}
			p3 := Obj{"id": "p3", "name": "Hose"}
			return map[string]Resolvers{
				"shop": {Root: map[string]map[string]any{"Query": {"categories": []any{
					Obj{"name": "Tools", "products": []any{p1, p2}},
					Obj{"name": "Garden", "products": []any{p2, p3}},
				}}}},
				"stock": {Entities: map[string]EntityFunc{"Product": Table{
					{"id": "p1", "stock": 5}, {"id": "p2", "stock": 0}, {"id": "p3", "stock": 12},
				}.Lookup("id")}},
				"reviews": {Entities: map[string]EntityFunc{"Product": Table{
					{"id": "p1", "reviews": []any{Obj{"body": "Solid", "author": Obj{"id": "u1"}}}},
					{"id": "p2", "reviews": []any{Obj{"body": "Rusty", "author": Obj{"id": "u2"}}, Obj{"body": "Fine", "author": Obj{"id": "u1"}}}},
					{"id": "p3", "reviews": []any{}},
				}.Lookup("id")}},
				"users": {Entities: map[string]EntityFunc{"User": Table{{"id": "u1", "name": "Ann"}, {"id": "u2", "name": "Bo"}}.Lookup("id")}},
			}
		},
	}
}

func caseAbstractEntities() Case {
	return Case{
		Name:        "abstract-entities",
		Description: "An interface whose implementations are entities extended by other subgraphs, with nested fragments (named and inline) and a recursive interface list from a third subgraph.",
		Subgraphs:   []string{"a", "b", "c"},
		Resolvers: func() map[string]Resolvers {
			items := Table{
				{"__typename": "Book", "id": "b1", "title": "Atlas"},
				{"__typename": "Toy", "id": "t1"},
				{"__typename": "Book", "id": "b2", "title": "Botany"},
				{"__typename": "Toy", "id": "t2"},
			}
			toys := Table{{"__typename": "Toy", "id": "t1", "name": "Robot", "ageMin": 8}, {"__typename": "Toy", "id": "t2", "name": "Ball", "ageMin": nil}}
			books := Table{{"__typename": "Book", "id": "b1", "author": Obj{"name": "Ann"}}, {"__typename": "Book", "id": "b2", "author": nil}}
			// c resolves related lists itself at any depth, so each related
			// item carries its own related list, computed on demand.
			graph := map[string][]string{"b1": {"t1", "b2"}, "b2": {"b1"}}
			var relatedRow func(id string) Obj
			relatedRow = func(id string) Obj {
				if id[0] == 't' {
					return Obj{"__typename": "Toy", "id": id}
				}
				return Obj{"__typename": "Book", "id": id, "related": FieldFunc(func(map[string]any) (any, error) {
					out := []any{}
					for _, r := range graph[id] {
						out = append(out, relatedRow(r))
					}
					return out, nil
				})}
			}
			related := func(typename string) EntityFunc {
				return func(rep map[string]any) (map[string]any, error) {
					id := Arg(rep, "id")
					if _, known := graph[id]; typename == "Book" && !known {
						return nil, nil
					}
					return relatedRow(id), nil
				}
			}
			return map[string]Resolvers{
				"a": {
					Root: map[string]map[string]any{"Query": {
						"items": items.All(),
						"item":  FieldFunc(func(args map[string]any) (any, error) { return items.Find("id", args["id"]), nil }),
					}},
					Entities: map[string]EntityFunc{"Book": typed(items, "Book"), "Toy": typed(items, "Toy")},
				},
				"b": {Entities: map[string]EntityFunc{"Book": typed(books, "Book"), "Toy": typed(toys, "Toy")}},
				"c": {Entities: map[string]EntityFunc{"Book": related("Book"), "Toy": typed(toys, "Toy")}},
			}
		},
	}
}

func caseCircularInterface() Case {
	return Case{
		Name:        "circular-interface",
		Description: "An interface field returning the interface itself (parent chains), with type-specific fields from another subgraph at several depths.",
		Subgraphs:   []string{"a", "b"},
		Resolvers: func() map[string]Resolvers {
			p1 := Obj{"__typename": "Part", "id": "p1", "parent": nil}
			c2 := Obj{"__typename": "Chapter", "id": "c2", "title": "Begin", "parent": p1}
			c3 := Obj{"__typename": "Chapter", "id": "c3", "title": "Middle", "parent": c2}
			sections := Table{p1, c2, c3}
			return map[string]Resolvers{
				"a": {
					Root: map[string]map[string]any{"Query": {
						"section": FieldFunc(func(args map[string]any) (any, error) { return sections.Find("id", args["id"]), nil }),
					}},
					Entities: map[string]EntityFunc{"Chapter": typed(sections, "Chapter"), "Part": typed(sections, "Part")},
				},
				"b": {Entities: map[string]EntityFunc{
					"Chapter": Table{{"id": "c2", "wordCount": 1200}, {"id": "c3", "wordCount": 800}}.Lookup("id"),
					"Part":    Table{{"id": "p1", "number": 1}}.Lookup("id"),
				}},
			}
		},
	}
}
