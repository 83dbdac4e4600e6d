package gqlguard

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync/atomic"
	"testing"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/shopsupergraph/shop/platform/config"
)

var configFromMap = config.FromMap

// testSDL is a small federated schema: a paginated list with a nested
// paginated list, entities, _service and a subscription.
const testSDL = `
type Query {
  hello: String!
  products(take: Int): [Product!]!
  _service: _Service!
  _entities(representations: [_Any!]!): [_Entity]!
}
type Product { id: ID! name: String! related(take: Int): [Product!]! }
type Subscription { ticks: Int! }
type _Service { sdl: String }
scalar _Any
union _Entity = Product
`

// fixture is a gqlgen server over testSDL behind a Guard. Resolvers are
// not generated: queries answer {"ok":true}, subscriptions stay open
// until their context ends.
type fixture struct {
	guard *Guard
	srv   *httptest.Server
	// introspectionOn records opCtx.DisableIntrospection of the last query.
	introspectionOn atomic.Bool
}

func newFixture(t *testing.T, l Limits) *fixture {
	t.Helper()
	f := &fixture{guard: New(l)}
	schema := gqlparser.MustLoadSchema(&ast.Source{Input: testSDL})
	es := &graphql.ExecutableSchemaMock{
		SchemaFunc: func() *ast.Schema { return schema },
		ComplexityFunc: func(_ context.Context, typeName, field string, child int, args map[string]any) (int, bool) {
			if (typeName == "Query" && field == "products") || (typeName == "Product" && field == "related") {
				return List(child, Take(intArg(args["take"]), 20, 100)), true
			}
			return 0, false
		},
		ExecFunc: func(ctx context.Context) graphql.ResponseHandler {
			opCtx := graphql.GetOperationContext(ctx)
			if opCtx.Operation.Operation == ast.Subscription {
				return func(ctx context.Context) *graphql.Response {
					<-ctx.Done()
					return nil
				}
			}
			f.introspectionOn.Store(!opCtx.DisableIntrospection)
			return graphql.OneShot(&graphql.Response{Data: []byte(`{"ok":true}`)})
		},
	}
	srv := handler.New(Schema(es))
	srv.AddTransport(f.guard.Websocket())
	srv.AddTransport(transport.SSE{})
	srv.AddTransport(transport.GET{})
	srv.AddTransport(transport.POST{})
	f.guard.Install(srv)
	f.srv = httptest.NewServer(f.guard.Handler(srv))
	t.Cleanup(f.srv.Close)
	return f
}

func intArg(v any) *int {
	var n int
	switch x := v.(type) {
	case int64:
		n = int(x)
	case json.Number:
		i, err := strconv.Atoi(string(x))
		if err != nil {
			return nil
		}
		n = i
	default:
		return nil
	}
	return &n
}

type response struct {
	Status int
	Raw    []byte
	Data   json.RawMessage `json:"data"`
	Errors []struct {
		Message    string         `json:"message"`
		Extensions map[string]any `json:"extensions"`
	} `json:"errors"`
}

func (r response) code() string {
	if len(r.Errors) == 0 {
		return ""
	}
	c, _ := r.Errors[0].Extensions["code"].(string)
	return c
}

// post sends a raw JSON body to the fixture.
func (f *fixture) post(t *testing.T, body []byte) response {
	t.Helper()
	resp, err := http.Post(f.srv.URL, "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	r := response{Status: resp.StatusCode, Raw: raw}
	if err := json.Unmarshal(raw, &r); err != nil {
		t.Fatalf("status %d, body %.300s: %v", resp.StatusCode, raw, err)
	}
	return r
}

// query posts a GraphQL operation with variables.
func (f *fixture) query(t *testing.T, q string, vars map[string]any) response {
	t.Helper()
	b, err := json.Marshal(map[string]any{"query": q, "variables": vars})
	if err != nil {
		t.Fatal(err)
	}
	return f.post(t, b)
}
