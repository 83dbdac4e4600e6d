package engine

import (
	"context"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/wundergraph/graphql-go-tools/v2/pkg/engine/datasource/httpclient"

	"github.com/shopsupergraph/shop/router/internal/supergraph"
)

// loadFunc stands in for a subgraph behind the context data source.
type loadFunc func(input []byte) []byte

func (f loadFunc) Load(_ context.Context, _ http.Header, input []byte) ([]byte, error) {
	return f(input), nil
}

func (f loadFunc) LoadWithFiles(_ context.Context, _ http.Header, input []byte, _ []*httpclient.FileUpload) ([]byte, error) {
	return f(input), nil
}

// TestContextRewrite checks the operation the planner gets for context
// arguments: the nearest ancestor that sets the context selects it under a
// hidden alias (by type for an interface context), and the field takes it
// as a variable; operations without context fields are left alone.
func TestContextRewrite(t *testing.T) {
	t.Parallel()
	sdl, err := os.ReadFile(filepath.Join("..", "..", "testdata", "federation", "context", "supergraph.graphql"))
	if err != nil {
		t.Fatal(err)
	}
	sg, err := supergraph.Parse(string(sdl))
	if err != nil {
		t.Fatal(err)
	}
	rw, err := newContextRewriter(sg.RouterSchema(), sg.Contexts())
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, query string
		want        []string
		bindings    int
	}{
		{"same subgraph", `query Q { user(id: "u1") { cart { greeting } } }`,
			[]string{"query Q ($contextualArgument_0: String)", "_ctx0: locale", "greeting(locale: $contextualArgument_0)"}, 1},
		{"interface", `{ accounts { wallet { owner } } }`,
			[]string{"_ctx0_type: __typename", "... on Person {", "_ctx0: firstName", "... on Company {", "_ctx0: legalName", "owner(name: $contextualArgument_0)"}, 1},
		{"two fields", `{ users { cart { greeting farewell } orders { price } } }`,
			[]string{"greeting(locale: $contextualArgument_0)", "farewell(locale: $contextualArgument_1)", "price(currency: $contextualArgument_2)", "_ctx2: currency"}, 3},
		{"no context field", `{ users { name } }`, []string{"{ users { name } }"}, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, bindings, err := rw.rewrite(tc.query)
			if err != nil {
				t.Fatal(err)
			}
			if len(bindings) != tc.bindings {
				t.Errorf("%d bindings, want %d", len(bindings), tc.bindings)
			}
			flat := strings.Join(strings.Fields(got), " ")
			for _, w := range tc.want {
				if !strings.Contains(flat, strings.Join(strings.Fields(w), " ")) {
					t.Errorf("rewritten operation lacks %q:\n%s", w, got)
				}
			}
		})
	}
}

// TestContextSourceGroups checks the context data source: one request per
// distinct value, entities back in batch order, error paths renumbered.
func TestContextSourceGroups(t *testing.T) {
	t.Parallel()
	var calls []string
	inner := loadFunc(func(input []byte) []byte {
		calls = append(calls, string(input))
		if strings.Contains(string(input), `"contextualArgument_0":"de"`) {
			return []byte(`{"data":{"_entities":[null]},"errors":[{"message":"no","path":["_entities",0,"farewell"]}]}`)
		}
		return []byte(`{"data":{"_entities":[{"v":1},{"v":2}]}}`)
	})
	src := &ctxSource{inner: inner, bindings: []contextBinding{{Var: "contextualArgument_0"}}}
	in := `{"method":"POST","url":"http://x","body":{"query":"query($representations: [_Any!]!, $contextualArgument_0: String){_entities(representations: $representations){... on Cart {farewell(locale: $contextualArgument_0)}}}","variables":{"representations":[` +
		`{"__typename":"Cart","id":"c1","contextualArgument_0":"fr"},{"__typename":"Cart","id":"c2","contextualArgument_0":"de"},{"__typename":"Cart","id":"c3","contextualArgument_0":"fr"}]}}}`
	out, err := src.Load(t.Context(), nil, []byte(in))
	if err != nil {
		t.Fatal(err)
	}
	if len(calls) != 2 {
		t.Fatalf("%d requests, want one per value (2)", len(calls))
	}
	for _, c := range calls {
		var req struct {
			Body struct {
				Variables struct {
					Representations []map[string]any `json:"representations"`
					Value           *string          `json:"contextualArgument_0"`
				} `json:"variables"`
			} `json:"body"`
		}
		if err := json.Unmarshal([]byte(c), &req); err != nil {
			t.Fatal(err)
		}
		v := req.Body.Variables
		if v.Value == nil {
			t.Errorf("request without the argument's variable: %s", c)
			continue
		}
		for _, r := range v.Representations {
			if _, ok := r["contextualArgument_0"]; ok {
				t.Errorf("representation still carries the context value: %s", c)
			}
			if want := map[string]string{"c1": "fr", "c2": "de", "c3": "fr"}[r["id"].(string)]; want != *v.Value {
				t.Errorf("%v sent with value %q, want %q", r["id"], *v.Value, want)
			}
		}
	}
	want := `{"data":{"_entities":[{"v":1},null,{"v":2}]},"errors":[{"message":"no","path":["_entities",1,"farewell"]}]}`
	if string(out) != want {
		t.Fatalf("response\n%s\nwant\n%s", out, want)
	}
}
