package app_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/shopsupergraph/shop/platform/gqlguard"
	"github.com/shopsupergraph/shop/platform/httpguard"
	"github.com/shopsupergraph/shop/platform/testenv"
)

// padReader yields a GraphQL request whose variables hold n bytes of
// padding, produced as it is read (the client never holds the body).
func padReader(n int64) io.Reader {
	return io.MultiReader(
		strings.NewReader(`{"query":"{ __typename }","variables":{"pad":"`),
		io.LimitReader(xs{}, n),
		strings.NewReader(`"}}`),
	)
}

type xs struct{}

func (xs) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = 'x'
	}
	return len(p), nil
}

// postRaw posts body to /graphql and returns the status and the raw answer.
func postRaw(t *testing.T, url string, body io.Reader) (int, []byte) {
	t.Helper()
	resp, err := http.Post(url+"/graphql", "application/json", body)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, raw
}

// TestHostileRequestsRefused: a 20 MB body streamed without a length is
// refused with 413 and a short error after the first MiB; the probe's
// 10,000 `__typename` (quadratic to validate) are refused with the limit
// code before validation; list sizes multiply complexity.
func TestHostileRequestsRefused(t *testing.T) {
	t.Parallel()
	in := startWith(t, testenv.Get(t), newShared(), map[string]string{"GRAPHQL_MAX_COMPLEXITY": "1000"})
	t.Run("20 MB body", func(t *testing.T) {
		status, raw := postRaw(t, in.URL, padReader(20<<20))
		if status != http.StatusRequestEntityTooLarge || !strings.Contains(string(raw), httpguard.CodeTooLarge) || len(raw) > 512 {
			t.Fatalf("%d %.300s", status, raw)
		}
	})
	t.Run("10,000 fields", func(t *testing.T) {
		began := time.Now()
		r := in.gql(t, "{ "+strings.Repeat("__typename ", 10000)+"}", nil)
		if r.code() != gqlguard.CodeMaxRootFields {
			t.Fatalf("%+v", r.Errors)
		}
		if d := time.Since(began); d > 5*time.Second { // validating it takes 20 s or more
			t.Fatalf("refusal took %s", d)
		}
	})
	t.Run("complexity", func(t *testing.T) {
		// 1 + 100 * (2 fields) passes; 1 + 100 * (1 + 20 movements) does not.
		if r := in.gql(t, "{ products(take: 100) { name price } }", nil); len(r.Errors) > 0 {
			t.Fatalf("within the limit: %+v", r.Errors)
		}
		r := in.gql(t, "{ products(take: 100) { movements(take: 20) { balance } } }", nil)
		if r.code() != gqlguard.CodeComplexity || !strings.Contains(r.Errors[0].Message, "2101") {
			t.Fatalf("over the limit: %+v", r.Errors)
		}
	})
}

// TestIntrospectionOffInProduction: with SHOP_ENV=production, __schema is
// refused and federation's `_service { sdl }` still answers.
func TestIntrospectionOffInProduction(t *testing.T) {
	t.Parallel()
	in := startWith(t, testenv.Get(t), newShared(), map[string]string{"SHOP_ENV": "production", "ADMIN_API_KEY": "hV7mQ2xK9pL4wR8sAe3Tb6Yc", "INTERNAL_API_SECRET": "t4Kx9Lm2Qw7Rz1Vb8Nc3Hy6Pj5Fd0Gs2"})
	if r := in.gql(t, "{ __schema { types { name } } }", nil); r.code() != gqlguard.CodeIntrospectionDisabled {
		t.Fatalf("introspection: %+v", r.Errors)
	}
	r := in.gql(t, "{ _service { sdl } }", nil)
	if len(r.Errors) > 0 || !strings.Contains(string(r.Data["_service"]), "type Product") {
		t.Fatalf("_service: %+v", r.Errors)
	}
}

// TestSlowClientsCutOff: a WebSocket that never sends connection_init is
// closed, and so is a body that does not arrive in time.
func TestSlowClientsCutOff(t *testing.T) {
	t.Parallel()
	in := startWith(t, testenv.Get(t), newShared(), map[string]string{
		"GRAPHQL_WS_INIT_TIMEOUT": "300ms",
		"HTTP_BODY_TIMEOUT":       "500ms",
	})
	t.Run("WebSocket without connection_init", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		ws, resp, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(in.URL, "http")+"/graphql",
			&websocket.DialOptions{Subprotocols: []string{"graphql-transport-ws"}})
		if resp != nil && resp.Body != nil {
			resp.Body.Close()
		}
		if err != nil {
			t.Fatal(err)
		}
		defer ws.CloseNow()
		_, _, err = ws.Read(ctx)
		var ce websocket.CloseError
		if !errors.As(err, &ce) || ctx.Err() != nil {
			t.Fatalf("still open: %v", err)
		}
	})
	t.Run("slow body", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		pr, pw := io.Pipe()
		go func() {
			_, _ = pw.Write([]byte(`{"query":`))
			<-ctx.Done()
			pw.CloseWithError(ctx.Err())
		}()
		status, raw := postRaw(t, in.URL, pr)
		var body struct {
			Errors []struct {
				Extensions map[string]any `json:"extensions"`
			} `json:"errors"`
		}
		if status != http.StatusRequestTimeout || json.Unmarshal(raw, &body) != nil || body.Errors[0].Extensions["code"] != httpguard.CodeTimeout {
			t.Fatalf("%d %s", status, raw)
		}
	})
}
