package fedtest

import "strings"

func caseNullEntityChain() Case {
	return Case{
		Name:        "null-entity-chain",
		Description: "Nulls inside entity chains: a null reference, an entity its subgraph cannot find, and a null key field needed for the next hop all yield nulls, never a malformed representation.",
		Subgraphs:   []string{"orders", "catalog", "prices"},
		Resolvers: func() map[string]Resolvers {
			catalog := Table{
				{"upc": "u1", "sku": "s1", "name": "Fan"},
				{"upc": "u4", "sku": nil, "name": "Heater"},
			}
			return map[string]Resolvers{
				"orders": {Root: map[string]map[string]any{"Query": {"orders": []any{
					Obj{"id": "o1", "product": Obj{"upc": "u1"}},
					Obj{"id": "o2", "product": nil},
					Obj{"id": "o3", "product": Obj{"upc": "u404"}},
					Obj{"id": "o4", "product": Obj{"upc": "u4"}},
				}}}},
				"catalog": {Entities: map[string]EntityFunc{"Product": func(rep map[string]any) (map[string]any, error) {
					if _, ok := rep["upc"]; ok {
						return catalog.Lookup("upc")(rep)
					}
					if rep["sku"] == nil {
						return nil, errorWithCode("representation with null sku", "BAD_REPRESENTATION")
					}
					return catalog.Lookup("sku")(rep)
				}}},
				"prices": {Entities: map[string]EntityFunc{"Product": func(rep map[string]any) (map[string]any, error) {
					if rep["sku"] == nil {
						return nil, errorWithCode("representation with null sku", "BAD_REPRESENTATION")
					}
					return Table{{"sku": "s1", "price": 40}}.Lookup("sku")(rep)
				}}},
			}
		},
	}
}

// nodeRoot builds the node/nodes root fields of one node subgraph. Ids are
// typed by prefix, so either subgraph can answer node(id:) for every type;
// each returns the fields it owns from its own table (own) for its own type.
// Well-formed ids are two characters ("u1", "p2"); anything else is unknown.
func nodeRoot(own Table, ownType string) map[string]any {
	nodeFor := func(id string) any {
		if row := own.Find("id", id); row != nil {
			return Merge(row, Obj{"__typename": ownType})
		}
		switch {
		case strings.HasPrefix(id, "u") && ownType != "User" && len(id) == 2:
			return Obj{"__typename": "User", "id": id}
		case strings.HasPrefix(id, "p") && ownType != "Product" && len(id) == 2:
			return Obj{"__typename": "Product", "id": id}
		}
		return nil
	}
	return map[string]any{
		"node": FieldFunc(func(args map[string]any) (any, error) { return nodeFor(Arg(args, "id")), nil }),
		"nodes": FieldFunc(func(args map[string]any) (any, error) {
			ids, _ := args["ids"].([]any)
			out := make([]any, len(ids))
			for i, id := range ids {
				out[i] = nodeFor(Arg(map[string]any{"id": id}, "id"))
			}
			return out, nil
		}),
	}
}

func caseNodeSharedRoot() Case {
	return Case{
		Name:        "node-shared-root",
		Description: "A node(id:)-style @shareable root field in two subgraphs that each know only some fields of the Node implementations.",
		Subgraphs:   []string{"users", "products"},
		Resolvers: func() map[string]Resolvers {
			users := Table{{"id": "u1", "name": "Ann"}, {"id": "u2", "name": "Ben"}}
			products := Table{{"id": "p1", "title": "Kite"}, {"id": "p2", "title": "Yo-yo"}}
			refs := func(t Table) EntityFunc {
				return func(rep map[string]any) (map[string]any, error) {
					if row, _ := t.Lookup("id")(rep); row != nil {
						return Obj{"id": row["id"]}, nil
					}
					return nil, nil
				}
			}
			return map[string]Resolvers{
				"users": {
					Root:     map[string]map[string]any{"Query": nodeRoot(users, "User")},
					Entities: map[string]EntityFunc{"User": users.Lookup("id"), "Product": refs(products)},
				},
				"products": {
					Root:     map[string]map[string]any{"Query": nodeRoot(products, "Product")},
					Entities: map[string]EntityFunc{"Product": products.Lookup("id"), "User": refs(users)},
				},
			}
		},
	}
}

func caseFed2Extends() Case {
	return Case{
		Name:        "fed2-extends",
		Description: "Federation 2 subgraph using extend type, @extends and @external keys (Federation 1 habits), with a @requires on an external field.",
		Subgraphs:   []string{"a", "b"},
		Resolvers: func() map[string]Resolvers {
			products := Table{
				{"id": "1", "name": "Green Tea", "category": Obj{"id": "c1"}},
				{"id": "2", "name": "Black Tea", "category": nil},
			}
			cats := Table{{"id": "c1", "title": "Drinks"}, {"id": "c2", "title": "Snacks"}}
			return map[string]Resolvers{
				"a": {
					Root:     map[string]map[string]any{"Query": {"products": products.All()}},
					Entities: map[string]EntityFunc{"Product": products.Lookup("id"), "Category": Table{{"id": "c1"}, {"id": "c2"}}.Lookup("id")},
				},
				"b": {
					Root: map[string]map[string]any{"Query": {"categories": cats.All()}},
					Entities: map[string]EntityFunc{
						"Category": cats.Lookup("id"),
						"Product": func(rep map[string]any) (map[string]any, error) {
							if err := Need(rep, "name"); err != nil {
								return nil, err
							}
							slug := strings.ReplaceAll(strings.ToLower(rep["name"].(string)), " ", "-")
							return Obj{"id": rep["id"], "slug": slug}, nil
						},
					},
				},
			}
		},
	}
}

// fed1Resolvers serve the Federation 1 subgraphs shared by fed1-extends
// (composed by today's composition) and fed1-supergraph (join v0.1).
func fed1Resolvers() map[string]Resolvers {
	people := Table{
		{"id": "1", "handle": "@ada", "fullName": "Ada Lovelace"},
		{"id": "2", "handle": "@alan", "fullName": "Alan Turing"},
	}
	goods := Table{
		{"code": "g1", "title": "Abacus", "price": 30, "weight": 2, "dimensions": Obj{"width": 30, "height": 20}},
		{"code": "g2", "title": "Slide rule", "price": 120, "weight": 1, "dimensions": nil},
		{"code": "g3", "title": "Loom", "price": 900, "weight": 80, "dimensions": Obj{"width": 150, "height": nil}},
		{"code": "g4", "title": "Lever", "price": 5, "weight": 3, "dimensions": nil},
	}
	n1 := Obj{"id": "n1", "text": "Counts well", "author": Obj{"id": "1", "handle": "@ada"}, "about": Obj{"code": "g1"}}
	n2 := Obj{"id": "n2", "text": "Too big", "author": Obj{"id": "2", "handle": "@alan"}, "about": Obj{"code": "g3"}}
	n3 := Obj{"id": "n3", "text": "Weaves programs", "author": Obj{"id": "1", "handle": "@ada"}, "about": Obj{"code": "g3"}}
	notesBy := map[string][]any{"1": {n1, n3}, "2": {n2}}
	notesAbout := map[string][]any{"g1": {n1}, "g2": {}, "g3": {n2, n3}, "g4": {}}
	stock := map[string]bool{"g1": true, "g2": false, "g3": true, "g4": true}
	return map[string]Resolvers{
		"people": {
			Root:     map[string]map[string]any{"Query": {"me": people[0]}},
			Entities: map[string]EntityFunc{"Person": people.Lookup("id")},
		},
		"notes": {Entities: map[string]EntityFunc{
			"Note": Table{n1, n2, n3}.Lookup("id"),
			"Person": func(rep map[string]any) (map[string]any, error) {
				return Obj{"id": rep["id"], "notes": notesBy[Arg(rep, "id")]}, nil
			},
			"Good": func(rep map[string]any) (map[string]any, error) {
				return Obj{"code": rep["code"], "notes": notesAbout[Arg(rep, "code")]}, nil
			},
		}},
		"goods": {
			Root: map[string]map[string]any{"Query": {"goods": FieldFunc(func(args map[string]any) (any, error) {
				n, _ := args["first"].(int64)
				if args["first"] == nil {
					n = int64(len(goods))
				}
				return goods.All()[:min(int(n), len(goods))], nil
			})}},
			Entities: map[string]EntityFunc{"Good": goods.Lookup("code")},
		},
		"stock": {Entities: map[string]EntityFunc{"Good": func(rep map[string]any) (map[string]any, error) {
			out := Obj{"code": rep["code"], "available": stock[Arg(rep, "code")]}
			if _, ok := rep["price"]; ok {
				if err := Need(rep, "weight"); err != nil {
					return nil, err
				}
				cost := 0
				if Num(rep["price"]) < 100 {
					cost = 5 + int(Num(rep["weight"]))
				}
				out["deliveryCost"] = cost
			}
			return out, nil
		}}},
	}
}

func caseFed1Extends() Case {
	return Case{
		Name:        "fed1-extends",
		Description: "Federation 1 subgraphs (no @link): extend type, @extends, @external keys, @provides and @requires, composed by today's composition (which upgrades them).",
		Subgraphs:   []string{"people", "notes", "goods", "stock"},
		Resolvers:   fed1Resolvers,
	}
}

func caseFed1Supergraph() Case {
	return Case{
		Name:        "fed1-supergraph",
		Description: "The fed1-extends subgraphs behind a Federation 1 (core v0.1, join v0.1 with @join__owner) supergraph, hand-written as the old composition printed it.",
		Subgraphs:   []string{"people", "notes", "goods", "stock"},
		Resolvers:   fed1Resolvers,
	}
}
