package router_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/shopsupergraph/shop/compose"
	"github.com/shopsupergraph/shop/router/app"
)

// fanOuts are the entities per batch of issue 11's "how cost grows".
var fanOuts = []int{1, 10, 100}

const (
	fanCatalogSDL = `extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key"])
type Query { items(n: Int!): [Item!]! }
type Item @key(fields: "id") { id: ID! }
`
	fanDetailSDL = `extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key"])
type Item @key(fields: "id") { id: ID! name: String! price: Int! }
`
	fanQuery = `query Items($n: Int!) { items(n: $n) { id name price } }`
)

// catalogResponder answers the root field with n item ids, n being the
// only number among the request's variables. It is hand-written rather
// than a GraphQL server so the subgraphs cost next to nothing and the
// benchmark measures the router.
func catalogResponder(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Variables map[string]any `json:"variables"`
	}
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	n := -1
	for _, v := range req.Variables {
		if f, ok := v.(float64); ok {
			n = int(f)
		}
	}
	if n < 0 {
		http.Error(w, "no item count among the variables", http.StatusBadRequest)
		return
	}
	var b bytes.Buffer
	b.WriteString(`{"data":{"items":[`)
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"__typename":"Item","id":"%d"}`, i)
	}
	b.WriteString(`]}}`)
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(b.Bytes())
}

// detailResponder resolves every representation of an _entities request.
func detailResponder(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Variables struct {
			Representations []struct {
				ID string `json:"id"`
			} `json:"representations"`
		} `json:"variables"`
	}
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	var b bytes.Buffer
	b.WriteString(`{"data":{"_entities":[`)
	for i, rep := range req.Variables.Representations {
		if i > 0 {
			b.WriteByte(',')
		}
		price, _ := strconv.Atoi(rep.ID)
		fmt.Fprintf(&b, `{"__typename":"Item","id":%q,"name":"item %s","price":%d}`, rep.ID, rep.ID, price*10)
	}
	b.WriteString(`]}}`)
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(b.Bytes())
}

// startFanOutRouter serves the two-subgraph fan-out graph and returns the
// router's base URL.
func startFanOutRouter(tb testing.TB, dedup bool) string {
	tb.Helper()
	catalog := httptest.NewServer(http.HandlerFunc(catalogResponder))
	tb.Cleanup(catalog.Close)
	detail := httptest.NewServer(http.HandlerFunc(detailResponder))
	tb.Cleanup(detail.Close)
	sdl, err := compose.Compose([]compose.Source{
		{Name: "catalog", URL: catalog.URL, SDL: fanCatalogSDL},
		{Name: "detail", URL: detail.URL, SDL: fanDetailSDL},
	})
	if err != nil {
		tb.Fatalf("compose: %v", err)
	}
	cfg := app.DefaultConfig()
	cfg.Deduplication = &dedup
	r, err := app.New(cfg, app.WithSupergraphSDL(sdl), app.WithLogger(slog.New(slog.NewTextHandler(io.Discard, nil))))
	if err != nil {
		tb.Fatalf("new router: %v", err)
	}
	tb.Cleanup(r.Close)
	srv := httptest.NewServer(r.Handler())
	tb.Cleanup(srv.Close)
	return srv.URL
}

func fanOutBody(n int) []byte {
	body, _ := json.Marshal(map[string]any{"query": fanQuery, "variables": map[string]any{"n": n}})
	return body
}

// TestFanOutGraph checks the benchmark's graph end to end: n items, each
// with the detail subgraph's fields, in one response.
func TestFanOutGraph(t *testing.T) {
	t.Parallel()
	url := startFanOutRouter(t, true)
	for _, n := range fanOuts {
		resp, err := http.Post(url+"/graphql", "application/json", bytes.NewReader(fanOutBody(n)))
		if err != nil {
			t.Fatal(err)
		}
		var out struct {
			Data struct {
				Items []struct {
					ID    string `json:"id"`
					Name  string `json:"name"`
					Price int    `json:"price"`
				} `json:"items"`
			} `json:"data"`
			Errors []any `json:"errors"`
		}
		err = json.NewDecoder(resp.Body).Decode(&out)
		resp.Body.Close()
		if err != nil || len(out.Errors) > 0 {
			t.Fatalf("n=%d: %v %v", n, err, out.Errors)
		}
		if len(out.Data.Items) != n {
			t.Fatalf("n=%d: got %d items", n, len(out.Data.Items))
		}
		last := out.Data.Items[n-1]
		if want := strconv.Itoa(n - 1); last.ID != want || last.Name != "item "+want || last.Price != (n-1)*10 {
			t.Fatalf("n=%d: last item %+v", n, last)
		}
	}
}

// BenchmarkFanOut sends the fan-out query from 32 concurrent clients with
// deduplication off (every request does both fetches) and reports the
// router's requests per second and latency quantiles as the entity batch
// grows from 1 to 100.
func BenchmarkFanOut(b *testing.B) {
	for _, n := range fanOuts {
		b.Run(fmt.Sprintf("entities=%d", n), func(b *testing.B) {
			url := startFanOutRouter(b, false) + "/graphql"
			body := fanOutBody(n)
			client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
			b.Cleanup(client.CloseIdleConnections)
			var mu sync.Mutex
			var all []time.Duration
			b.ReportAllocs()
			b.SetParallelism(16) // 32 clients on 2 CPUs
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				var mine []time.Duration
				for pb.Next() {
					t0 := time.Now()
					resp, err := client.Post(url, "application/json", bytes.NewReader(body))
					if err != nil {
						b.Error(err)
						return
					}
					data, _ := io.ReadAll(resp.Body)
					_ = resp.Body.Close()
					mine = append(mine, time.Since(t0))
					if resp.StatusCode != http.StatusOK || bytes.Contains(data, []byte(`"errors"`)) {
						b.Errorf("HTTP %d: %s", resp.StatusCode, strings.TrimSpace(string(data)))
						return
					}
				}
				mu.Lock()
				all = append(all, mine...)
				mu.Unlock()
			})
			b.StopTimer()
			if len(all) == 0 {
				return
			}
			slices.Sort(all)
			q := func(p float64) float64 {
				return float64(all[int(p*float64(len(all)-1))].Microseconds()) / 1000
			}
			b.ReportMetric(float64(len(all))/b.Elapsed().Seconds(), "req/s")
			b.ReportMetric(q(0.50), "p50-ms")
			b.ReportMetric(q(0.99), "p99-ms")
		})
	}
}
