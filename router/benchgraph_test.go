package router_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/shopsupergraph/shop/router/app"
)

// benchDir is the shared benchmark harness (subgraphs, supergraph, query).
const benchDir = "/work/shared/bench"

// TestBenchmarkSupergraph serves the benchmark supergraph against the
// benchmark's own subgraphs and checks the benchmark query's response value
// by value against load/expected.json.
func TestBenchmarkSupergraph(t *testing.T) {
	t.Parallel()
	srvURL := startBenchRouter(t, true)
	query, err := os.ReadFile(filepath.Join(benchDir, "load", "query.graphql"))
	if err != nil {
		t.Fatal(err)
	}
	expected, err := os.ReadFile(filepath.Join(benchDir, "load", "expected.json"))
	if err != nil {
		t.Fatal(err)
	}
	var want any
	if err := json.Unmarshal(expected, &want); err != nil {
		t.Fatal(err)
	}
	body, _ := json.Marshal(map[string]string{"query": string(query)})
	// Twice: the second run is served from the operation and plan caches.
	for i := 0; i < 2; i++ {
		resp, err := http.Post(srvURL+"/graphql", "application/json", bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		got, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			t.Fatal(err)
		}
		if resp.StatusCode != http.StatusOK || bytes.Contains(got, []byte(`"errors"`)) {
			t.Fatalf("run %d: HTTP %d: %s", i, resp.StatusCode, truncate(got))
		}
		var g any
		if err := json.Unmarshal(got, &g); err != nil {
			t.Fatalf("run %d: response is not JSON: %v", i, err)
		}
		if !reflect.DeepEqual(g, want) {
			t.Fatalf("run %d: response differs from expected.json\ngot:  %s\nwant: %s", i, truncate(got), truncate(expected))
		}
	}
}

// BenchmarkBenchmarkQuery measures the benchmark query end to end through
// the HTTP handler with deduplication off, so every iteration does the full
// fan-out (13 subgraph requests).
func BenchmarkBenchmarkQuery(b *testing.B) {
	srvURL := startBenchRouter(b, false)
	query, err := os.ReadFile(filepath.Join(benchDir, "load", "query.graphql"))
	if err != nil {
		b.Fatal(err)
	}
	body, _ := json.Marshal(map[string]string{"query": string(query)})
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		resp, err := http.Post(srvURL+"/graphql", "application/json", bytes.NewReader(body))
		if err != nil {
			b.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
}

// startBenchRouter builds and starts the benchmark subgraphs and a router
// over the benchmark supergraph; it returns the router's base URL.
func startBenchRouter(t testing.TB, dedup bool) string {
	t.Helper()
	return startBenchRouterWith(t, func(c *app.Config) { c.Deduplication = &dedup })
}

// startBenchRouterWith is startBenchRouter with the router configuration
// adjusted by configure (applied to app.DefaultConfig()).
func startBenchRouterWith(t testing.TB, configure func(*app.Config)) string {
	t.Helper()
	if _, err := os.Stat(filepath.Join(benchDir, "subgraphs", "main.go")); err != nil {
		t.Skipf("benchmark harness not present at %s: %v", benchDir, err)
	}
	bin := filepath.Join(t.TempDir(), "subgraphs")
	build := exec.Command("go", "build", "-o", bin, "./subgraphs")
	build.Dir = benchDir
	build.Env = append(os.Environ(), "GOWORK=off")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build bench subgraphs: %v\n%s", err, out)
	}
	port := freePort(t)
	ctx, cancel := context.WithCancel(context.Background())
	cmd := exec.CommandContext(ctx, bin)
	cmd.Env = append(os.Environ(), "HOST=127.0.0.1", fmt.Sprintf("PORT=%d", port))
	if err := cmd.Start(); err != nil {
		cancel()
		t.Fatalf("start bench subgraphs: %v", err)
	}
	t.Cleanup(func() {
		cancel() // kills the process
		_ = cmd.Wait()
	})
	base := fmt.Sprintf("http://127.0.0.1:%d", port)
	waitHealthy(t, base+"/health")

	sdl, err := os.ReadFile(filepath.Join(benchDir, "gateways", "supergraph.graphql"))
	if err != nil {
		t.Fatal(err)
	}
	urls := map[string]string{}
	for _, name := range []string{"accounts", "inventory", "products", "reviews"} {
		urls[name] = base + "/" + name
	}
	cfg := app.DefaultConfig()
	configure(&cfg)
	r, err := app.New(cfg, app.WithSupergraphSDL(string(sdl)), app.WithSubgraphURLs(urls))
	if err != nil {
		t.Fatalf("new router: %v", err)
	}
	t.Cleanup(r.Close)
	srv := httptest.NewServer(r.Handler())
	t.Cleanup(srv.Close)
	return srv.URL
}

func freePort(t testing.TB) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

func waitHealthy(t testing.TB, url string) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		resp, err := http.Get(url)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("%s did not become healthy", url)
}

func truncate(b []byte) string {
	s := strings.TrimSpace(string(b))
	if len(s) > 2000 {
		return s[:2000] + "..."
	}
	return s
}
