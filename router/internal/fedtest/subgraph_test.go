package fedtest

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/vektah/gqlparser/v2/gqlerror"
)

const testSDL = `
extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key", "@shareable"])

type Query {
  animals: [Animal!]!
  search(term: String!): [Result]
  strict: Thing!
  broken: Thing
  pets(limit: Int = 2): [Animal!]!
}

type Mutation {
  add(n: Int!): Int!
}

interface Animal {
  name: String!
}

type Dog implements Animal @key(fields: "id") {
  id: ID!
  name: String!
  barks: Boolean
}

type Cat implements Animal @key(fields: "id") {
  id: ID!
  name: String!
  lives: Int
}

union Result = Dog | Cat

type Thing {
  must: String!
  maybe: String
}
`

func newTestSubgraph(t *testing.T) *Subgraph {
	t.Helper()
	dogs := Table{{"__typename": "Dog", "id": "d1", "name": "Rex", "barks": true}}
	cats := Table{{"__typename": "Cat", "id": "c1", "name": "Tom", "lives": 9}}
	total := 0
	sg, err := NewSubgraph("zoo", testSDL, Resolvers{
		Root: map[string]map[string]any{
			"Query": {
				"animals": append(dogs.All(), cats.All()...),
				"search": FieldFunc(func(args map[string]any) (any, error) {
					if Arg(args, "term") == "cat" {
						return cats.All(), nil
					}
					return append(dogs.All(), cats.All()...), nil
				}),
				"strict": Obj{"must": nil, "maybe": "x"},
				"broken": FieldFunc(func(map[string]any) (any, error) {
					return nil, &gqlerror.Error{Message: "thing is broken", Extensions: map[string]any{"code": "BROKEN"}}
				}),
				"pets": FieldFunc(func(args map[string]any) (any, error) {
					all := append(dogs.All(), cats.All()...)
					n, _ := args["limit"].(int64)
					return all[:n], nil
				}),
			},
			"Mutation": {
				"add": FieldFunc(func(args map[string]any) (any, error) {
					total += int(args["n"].(int64))
					return total, nil
				}),
			},
		},
		Entities: map[string]EntityFunc{
			"Dog": dogs.Lookup("id"),
			"Cat": func(rep map[string]any) (map[string]any, error) {
				if rep["id"] == "boom" {
					return nil, errors.New("cat exploded")
				}
				return cats.Lookup("id")(rep)
			},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	return sg
}

func post(t *testing.T, url, query string, vars map[string]any) string {
	t.Helper()
	body, err := json.Marshal(map[string]any{"query": query, "variables": vars})
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.Post(url, "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var buf bytes.Buffer
	if _, err := buf.ReadFrom(resp.Body); err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(buf.String())
}

func TestSubgraphExecute(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		query string
		vars  map[string]any
		want  string
	}{
		{
			name:  "interface fragments and typename",
			query: `{ animals { __typename name ... on Dog { barks } ... on Cat { lives } } }`,
			want:  `{"data":{"animals":[{"__typename":"Dog","name":"Rex","barks":true},{"__typename":"Cat","name":"Tom","lives":9}]}}`,
		},
		{
			name:  "union with named fragment and alias",
			query: `query($t: String!) { found: search(term: $t) { ...C } } fragment C on Cat { who: name }`,
			vars:  map[string]any{"t": "cat"},
			want:  `{"data":{"found":[{"who":"Tom"}]}}`,
		},
		{
			name:  "skip and include with variables",
			query: `query($s: Boolean!) { animals { name @skip(if: $s) ... on Dog @include(if: $s) { id } } }`,
			vars:  map[string]any{"s": true},
			want:  `{"data":{"animals":[{"id":"d1"},{}]}}`,
		},
		{
			name:  "non-null propagates to nearest nullable parent",
			query: `{ strict { maybe must } }`,
			want:  `{"data":null,"errors":[{"message":"Cannot return null for non-nullable field Thing.must.","path":["strict","must"]}]}`,
		},
		{
			name:  "resolver error keeps extensions and gets a path",
			query: `{ b: broken { must } }`,
			want:  `{"data":{"b":null},"errors":[{"message":"thing is broken","path":["b"],"extensions":{"code":"BROKEN"}}]}`,
		},
		{
			name:  "argument default",
			query: `{ pets { name } }`,
			want:  `{"data":{"pets":[{"name":"Rex"},{"name":"Tom"}]}}`,
		},
		{
			name:  "entities found, missing and failing",
			query: `query($r: [_Any!]!) { _entities(representations: $r) { __typename ... on Dog { name } ... on Cat { lives } } }`,
			vars: map[string]any{"r": []any{
				map[string]any{"__typename": "Cat", "id": "c1"},
				map[string]any{"__typename": "Dog", "id": "nope"},
				map[string]any{"__typename": "Cat", "id": "boom"},
			}},
			want: `{"data":{"_entities":[{"__typename":"Cat","lives":9},null,null]},"errors":[{"message":"cat exploded","path":["_entities",2]}]}`,
		},
		{
			name:  "validation error",
			query: `{ animals { color } }`,
			want:  `{"errors":[{"message":"Cannot query field \"color\" on type \"Animal\".","locations":[{"line":1,"column":13}],"extensions":{"code":"GRAPHQL_VALIDATION_FAILED"}}]}`,
		},
		{
			name:  "entities are not available for unkeyed types",
			query: `{ _entities(representations: []) { ... on Thing { must } } }`,
			want:  `{"errors":[{"message":"Fragment cannot be spread here as objects of type \"_Entity\" can never be of type \"Thing\".","locations":[{"line":1,"column":40}],"extensions":{"code":"GRAPHQL_VALIDATION_FAILED"}}]}`,
		},
	}
	srv := httptest.NewServer(newTestSubgraph(t))
	t.Cleanup(srv.Close)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := post(t, srv.URL, tt.query, tt.vars); got != tt.want {
				t.Errorf("got  %s\nwant %s", got, tt.want)
			}
		})
	}
}

func TestSubgraphServiceSDLAndRecording(t *testing.T) {
	t.Parallel()
	sg := newTestSubgraph(t)
	srv := httptest.NewServer(sg)
	t.Cleanup(srv.Close)

	var resp struct {
		Data struct {
			Service struct{ SDL string } `json:"_service"`
		}
	}
	if err := json.Unmarshal([]byte(post(t, srv.URL, `{ _service { sdl } }`, nil)), &resp); err != nil {
		t.Fatal(err)
	}
	if resp.Data.Service.SDL != testSDL {
		t.Errorf("_service.sdl differs from the SDL the subgraph was built from")
	}
	post(t, srv.URL, `query($r: [_Any!]!) { _entities(representations: $r) { ... on Dog { name } } }`,
		map[string]any{"r": []any{map[string]any{"__typename": "Dog", "id": "d1"}}})

	reqs := sg.Requests()
	if len(reqs) != 2 {
		t.Fatalf("recorded %d requests, want 2", len(reqs))
	}
	if reqs[0].IsEntities() || !reqs[1].IsEntities() {
		t.Errorf("IsEntities = %v, %v; want false, true", reqs[0].IsEntities(), reqs[1].IsEntities())
	}
	if n := len(reqs[1].Representations()); n != 1 {
		t.Errorf("representations = %d, want 1", n)
	}
	sg.Reset()
	if n := len(sg.Requests()); n != 0 {
		t.Errorf("after Reset %d requests remain", n)
	}
}

func TestSubgraphMutationsRunInOrder(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(newTestSubgraph(t))
	t.Cleanup(srv.Close)
	got := post(t, srv.URL, `mutation { a: add(n: 2) b: add(n: 3) c: add(n: -1) }`, nil)
	if want := `{"data":{"a":2,"b":5,"c":4}}`; got != want {
		t.Errorf("got %s, want %s", got, want)
	}
}

func TestNewSubgraphRejectsInvalidSDL(t *testing.T) {
	t.Parallel()
	for _, sdl := range []string{
		`type Query { a: Missing }`,
		`type Query { a: String @nope }`,
		`type Query {`,
	} {
		if _, err := NewSubgraph("bad", sdl, Resolvers{}); err == nil {
			t.Errorf("NewSubgraph(%q) succeeded, want error", sdl)
		}
	}
}

func TestFed1StyleExtendWithoutBase(t *testing.T) {
	t.Parallel()
	sdl := `
extend type Query { me: User }
extend type User @key(fields: "id") {
  id: ID! @external
  reviews: [String]
}`
	sg, err := NewSubgraph("fed1", sdl, Resolvers{Entities: map[string]EntityFunc{
		"User": Table{{"id": "u1", "reviews": []any{"ok"}}}.Lookup("id"),
	}})
	if err != nil {
		t.Fatal(err)
	}
	resp, _ := sg.Execute(`{ _entities(representations: [{__typename: "User", id: "u1"}]) { ... on User { reviews } } }`, "", nil)
	b, err := json.Marshal(resp)
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"data":{"_entities":[{"reviews":["ok"]}]}}`; string(b) != want {
		t.Errorf("got %s, want %s", b, want)
	}
}

func TestLaunchAndCheckFetches(t *testing.T) {
	t.Parallel()
	c, ok := CaseByName("skip-include")
	if !ok {
		t.Fatal("skip-include missing")
	}
	d, err := Launch(c, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := d.Close(); err != nil {
			t.Error(err)
		}
	})
	if err := CheckFetches(c, "skip-literal", d.Subgraphs); err != nil {
		t.Errorf("no requests yet, got %v", err)
	}
	post(t, d.URLs["b"], `{ _service { sdl } }`, nil)
	if err := CheckFetches(c, "skip-literal", d.Subgraphs); err == nil {
		t.Error("a request to b must violate the skip-literal bound")
	}
	d.Subgraphs["b"].Reset()
	if err := CheckFetches(c, "skip-literal", d.Subgraphs); err != nil {
		t.Errorf("after Reset: %v", err)
	}
}

func TestHeaderFuncSeesRequestHeaders(t *testing.T) {
	t.Parallel()
	c, ok := CaseByName("headers")
	if !ok {
		t.Fatal("headers missing")
	}
	urls, _ := Start(t, c)
	req, err := http.NewRequest(http.MethodPost, urls["a"], strings.NewReader(`{"query":"{ whoami }"}`))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer x")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var buf bytes.Buffer
	if _, err := buf.ReadFrom(resp.Body); err != nil {
		t.Fatal(err)
	}
	if got, want := strings.TrimSpace(buf.String()), `{"data":{"whoami":"Bearer x"}}`; got != want {
		t.Errorf("got %s, want %s", got, want)
	}
}
