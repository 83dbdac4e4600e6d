package app_test

import (
	"bytes"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/shopsupergraph/shop/router/app"
)

// writeFile replaces path atomically, as deploy tools do.
func writeFile(t *testing.T, path, content string) {
	t.Helper()
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, path); err != nil {
		t.Fatal(err)
	}
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestHotReloadUnderLoad(t *testing.T) {
	t.Parallel()
	// The first graph's products subgraph is slow, so requests are in
	// flight on the old engine whenever the swap happens.
	slow := func(name string, h http.Handler) http.Handler {
		if name != "products" {
			return h
		}
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			time.Sleep(30 * time.Millisecond)
			h.ServeHTTP(w, r)
		})
	}
	sdl1, sgs1 := startGraph(t, slow)
	sdl2, sgs2 := startGraph(t, nil)
	path := filepath.Join(t.TempDir(), "supergraph.graphql")
	writeFile(t, path, sdl1)

	var logs syncBuffer
	cfg := app.DefaultConfig()
	cfg.Supergraph = path
	cfg.HotReload.Enabled = true
	cfg.HotReload.Interval = 20 * time.Millisecond
	r, err := app.New(cfg, app.WithLogger(slog.New(slog.NewTextHandler(&logs, nil))))
	if err != nil {
		t.Fatal(err)
	}
	srv := startServer(t, r)

	var ok, failed atomic.Int64
	var firstFailure atomic.Value
	stop := make(chan struct{})
	var wg sync.WaitGroup
	body := []byte(`{"query":"` + productsQuery + `"}`)
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				res, err := client.Post(srv.URL+"/graphql", "application/json", bytes.NewReader(body))
				if err != nil {
					failed.Add(1)
					firstFailure.CompareAndSwap(nil, err.Error())
					continue
				}
				var buf bytes.Buffer
				_, _ = buf.ReadFrom(res.Body)
				res.Body.Close()
				if res.StatusCode != http.StatusOK || strings.Contains(buf.String(), `"errors"`) || strings.Count(buf.String(), `"id"`) != 3 {
					failed.Add(1)
					firstFailure.CompareAndSwap(nil, buf.String())
					continue
				}
				ok.Add(1)
			}
		}()
	}
	waitFor(t, "load on the first graph", func() bool { return len(sgs1["products"].Requests()) > 20 })

	// A valid new file: traffic moves to the second deployment.
	writeFile(t, path, sdl2)
	waitFor(t, "traffic on the reloaded graph", func() bool { return len(sgs2["inventory"].Requests()) > 20 })

	// An invalid file is rejected; the second graph keeps serving.
	writeFile(t, path, "type Query { this is not a supergraph")
	waitFor(t, "the rejection to be logged", func() bool { return strings.Contains(logs.String(), "supergraph rejected") })
	before := len(sgs2["inventory"].Requests())
	waitFor(t, "traffic after the rejected file", func() bool { return len(sgs2["inventory"].Requests()) > before+20 })

	// And back to the first graph.
	sgs1["products"].Reset()
	writeFile(t, path, sdl1)
	waitFor(t, "traffic back on the first graph", func() bool { return len(sgs1["products"].Requests()) > 20 })

	close(stop)
	wg.Wait()
	if n := failed.Load(); n > 0 {
		t.Fatalf("%d of %d requests failed during reloads; first: %v", n, n+ok.Load(), firstFailure.Load())
	}
	if !strings.Contains(logs.String(), "supergraph reloaded") {
		t.Fatalf("no reload logged:\n%s", logs.String())
	}
	t.Logf("%d requests, 0 failed, across 2 reloads and 1 rejected file", ok.Load())
}
