package app_test

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/shopsupergraph/shop/router/app"
	"github.com/shopsupergraph/shop/router/internal/engine"
	"github.com/shopsupergraph/shop/router/internal/subscriptions"
)

// The catalog lists products with a duplicate (id 1 twice), a null item and
// an item whose key is null; prices resolves them and fails for some ids.
// The engine sends each distinct representation once and skips the null
// ones, so the subgraph's error indices are not the list's.
const catalogProducts = `[{"__typename":"Product","id":"1","name":"oak","related":` + related + `},{"__typename":"Product","id":"2","name":"elm","related":` + related + `},null,` +
	`{"__typename":"Product","id":"1","name":"oak","related":` + related + `},{"__typename":"Product","id":null,"name":"ghost","related":` + related + `},{"__typename":"Product","id":"3","name":"ash","related":` + related + `}]`

// related is every product's related list: a nested list for entity
// fetches two levels down.
const related = `[{"__typename":"Product","id":"3"},null,{"__typename":"Product","id":"1"}]`

// errorPathsGraph serves the two subgraphs of testdata/errorpaths: catalog
// answers queries and the productsChanged subscription (one event per
// publish), prices answers _entities (aliased or not), failing for the ids
// in fail and gzip-compressing its answers when gzipped is set.
type errorPathsGraph struct {
	sdl     string
	fail    map[string]bool
	gzipped bool
	events  chan []byte
	delay   time.Duration // before prices answers
	mu      sync.Mutex
	active  int
}

var entitiesField = regexp.MustCompile(`(?:(\w+)\s*:\s*)?_entities\s*\(\s*representations\s*:\s*\$(\w+)\s*\)`)

func startErrorPathsGraph(t *testing.T, fail []string, gzipped bool, opts ...func(*errorPathsGraph)) *errorPathsGraph {
	t.Helper()
	sdl, err := os.ReadFile(filepath.Join("testdata", "errorpaths", "supergraph.graphql"))
	if err != nil {
		t.Fatal(err)
	}
	g := &errorPathsGraph{sdl: string(sdl), fail: map[string]bool{}, gzipped: gzipped, events: make(chan []byte, 4)}
	for _, id := range fail {
		g.fail[id] = true
	}
	for _, o := range opts {
		o(g)
	}
	streams := subscriptions.New(func(ctx context.Context, _ *engine.Request, _ http.Header, w engine.SubscriptionWriter) error {
		g.mu.Lock()
		g.active++
		g.mu.Unlock()
		defer func() { g.mu.Lock(); g.active--; g.mu.Unlock() }()
		for {
			select {
			case <-ctx.Done():
				return nil
			case ev := <-g.events:
				if _, err := w.Write(ev); err != nil {
					return err
				}
				if err := w.Flush(); err != nil {
					return err
				}
			}
		}
	}, subscriptions.Options{})
	catalog := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if subscriptions.Accepts(r) {
			streams.ServeHTTP(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"data":{"products":%s,"featured":%s}}`, catalogProducts, catalogProducts)
	})
	prices := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(g.delay)
		var req struct {
			Query     string                     `json:"query"`
			Variables map[string]json.RawMessage `json:"variables"`
		}
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		data := map[string]any{}
		var errs []map[string]any
		for _, m := range entitiesField.FindAllStringSubmatch(req.Query, -1) {
			alias := m[1]
			if alias == "" {
				alias = "_entities"
			}
			var reps []map[string]any
			_ = json.Unmarshal(req.Variables[m[2]], &reps)
			out := make([]any, len(reps))
			for i, rep := range reps {
				id, _ := rep["id"].(string)
				switch {
				case id == "":
					out[i] = nil
				case g.fail[id]:
					errs = append(errs, map[string]any{"message": "price unavailable for " + id, "path": []any{alias, i, "price"},
						"extensions": map[string]any{"code": "PRICE_UNAVAILABLE"}})
					out[i] = map[string]any{"__typename": "Product", "price": nil}
				default:
					out[i] = map[string]any{"__typename": "Product", "price": len(id) * 10}
				}
			}
			data[alias] = out
		}
		body, _ := json.Marshal(map[string]any{"data": data, "errors": errs})
		w.Header().Set("Content-Type", "application/json")
		if g.gzipped && strings.Contains(r.Header.Get("Accept-Encoding"), "gzip") {
			w.Header().Set("Content-Encoding", "gzip")
			zw := gzip.NewWriter(w)
			_, _ = zw.Write(body)
			_ = zw.Close()
			return
		}
		_, _ = w.Write(body)
	})
	for name, h := range map[string]http.Handler{"catalog": catalog, "prices": prices} {
		srv := httptest.NewServer(h)
		t.Cleanup(srv.Close)
		g.sdl = strings.ReplaceAll(g.sdl, "http://"+name+".invalid/graphql", srv.URL+"/graphql")
	}
	return g
}

// errorPaths returns "message@path" for each error of a response body.
func errorPaths(t *testing.T, body []byte) []string {
	t.Helper()
	var resp struct {
		Errors []struct {
			Message    string         `json:"message"`
			Path       []any          `json:"path"`
			Extensions map[string]any `json:"extensions"`
		} `json:"errors"`
	}
	if err := json.Unmarshal(body, &resp); err != nil {
		t.Fatalf("response is not JSON: %s", body)
	}
	var out []string
	for _, e := range resp.Errors {
		p, _ := json.Marshal(e.Path)
		out = append(out, fmt.Sprintf("%s@%s", e.Message, p))
		if e.Extensions["code"] != "PRICE_UNAVAILABLE" || e.Extensions["serviceName"] != "prices" {
			t.Errorf("error %q lost its extensions: %v", e.Message, e.Extensions)
		}
	}
	return out
}

func TestEntityErrorPaths(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		query string
		fail  []string
		want  []string
	}{
		{name: "after a duplicate, a null item and a null key", query: `{ products { name price } }`, fail: []string{"3"},
			want: []string{`price unavailable for 3@["products",5,"price"]`}},
		{name: "duplicate representation: every item it fills", query: `{ products { name price } }`, fail: []string{"1"},
			want: []string{`price unavailable for 1@["products",0,"price"]`, `price unavailable for 1@["products",3,"price"]`}},
		{name: "two entity fetches in one wave", query: `{ products { price } featured { name price } }`, fail: []string{"2", "3"},
			want: []string{
				`price unavailable for 2@["products",1,"price"]`, `price unavailable for 3@["products",5,"price"]`,
				`price unavailable for 2@["featured",1,"price"]`, `price unavailable for 3@["featured",5,"price"]`,
			}},
		{name: "nested lists", query: `{ products { related { price } } }`, fail: []string{"3"},
			want: []string{
				`price unavailable for 3@["products",0,"related",0,"price"]`, `price unavailable for 3@["products",1,"related",0,"price"]`,
				`price unavailable for 3@["products",3,"related",0,"price"]`, `price unavailable for 3@["products",4,"related",0,"price"]`,
				`price unavailable for 3@["products",5,"related",0,"price"]`,
			}},
	}
	for _, multi := range []bool{true, false} {
		for _, gz := range []bool{false, true} {
			for _, tc := range tests {
				t.Run(fmt.Sprintf("multi_fetch=%v/gzip=%v/%s", multi, gz, tc.name), func(t *testing.T) {
					t.Parallel()
					g := startErrorPathsGraph(t, tc.fail, gz)
					srv := startRouter(t, g.sdl, func(c *app.Config) { c.MultiFetch = multi })
					body := postQueryBody(t, srv.URL, tc.query)
					// Parallel fetches merge in the order they finish.
					got, want := errorPaths(t, body), append([]string(nil), tc.want...)
					sort.Strings(got)
					sort.Strings(want)
					if strings.Join(got, "\n") != strings.Join(want, "\n") {
						t.Fatalf("errors:\n%s\nwant:\n%s\nresponse: %s", strings.Join(got, "\n"), strings.Join(want, "\n"), body)
					}
					if bytes.Contains(body, []byte("_entities")) {
						t.Fatalf("response leaks _entities: %s", body)
					}
				})
			}
		}
	}
}

func TestEntityErrorPathsInSubscription(t *testing.T) {
	t.Parallel()
	g := startErrorPathsGraph(t, []string{"1", "3"}, true)
	srv := startRouter(t, g.sdl, nil)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	body, _ := json.Marshal(map[string]any{"query": `subscription { productsChanged { name price } }`})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, srv.URL+"/graphql", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "text/event-stream")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	waitFor(t, "the subgraph subscription", func() bool { g.mu.Lock(); defer g.mu.Unlock(); return g.active == 1 })
	sc := bufio.NewScanner(res.Body)
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	next := func() []byte {
		for sc.Scan() {
			if v, ok := strings.CutPrefix(sc.Text(), "data: "); ok {
				return []byte(v)
			}
		}
		t.Fatalf("stream ended: %v", sc.Err())
		return nil
	}
	want := []string{
		`price unavailable for 1@["productsChanged",0,"price"]`,
		`price unavailable for 1@["productsChanged",3,"price"]`,
		`price unavailable for 3@["productsChanged",5,"price"]`,
	}
	// Two events: the second must not inherit the first one's paths.
	for i := 0; i < 2; i++ {
		g.events <- []byte(`{"data":{"productsChanged":` + catalogProducts + `}}`)
		data := next()
		if got := errorPaths(t, data); strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Fatalf("event %d errors:\n%s\nwant:\n%s\nevent: %s", i, strings.Join(got, "\n"), strings.Join(want, "\n"), data)
		}
	}
}

// TestEntityErrorPathsDeduplicated sends identical requests at once: those
// deduplicated into another one receive its response and its error paths.
func TestEntityErrorPathsDeduplicated(t *testing.T) {
	t.Parallel()
	g := startErrorPathsGraph(t, []string{"1"}, false, func(g *errorPathsGraph) { g.delay = 100 * time.Millisecond })
	srv := startRouter(t, g.sdl, nil)
	want := `price unavailable for 1@["products",0,"price"]` + "\n" + `price unavailable for 1@["products",3,"price"]`
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			body := postQueryBody(t, srv.URL, `{ products { name price } }`)
			if got := strings.Join(errorPaths(t, body), "\n"); got != want {
				t.Errorf("errors:\n%s\nwant:\n%s", got, want)
			}
		}()
	}
	wg.Wait()
}

// postQueryBody posts a query and returns the response body.
func postQueryBody(t *testing.T, url, query string) []byte {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"query": query})
	res, err := client.Post(url+"/graphql", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	out, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return out
}
