package app_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/shopsupergraph/shop/router/app"
)

// safety bounds a wait that only a defect makes long (a deadlock); it is
// not a speed assertion.
const safety = 30 * time.Second

// gatedInventory blocks every inventory request until release is closed or
// the request's context ends; arrived receives the request's context.
func gatedInventory(arrived chan<- context.Context, release <-chan struct{}) func(string, http.Handler) http.Handler {
	return func(name string, h http.Handler) http.Handler {
		if name != "inventory" {
			return h
		}
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			// net/http notices a closed connection only once the body is
			// consumed: read it first, and hand it on afterwards.
			body, err := io.ReadAll(r.Body)
			if err != nil {
				return
			}
			r.Body = io.NopCloser(bytes.NewReader(body))
			arrived <- r.Context()
			select {
			case <-release:
			case <-r.Context().Done():
				return
			}
			h.ServeHTTP(w, r)
		})
	}
}

// openDefer starts a deferred query and returns the response and a reader
// of its parts.
func openDefer(ctx context.Context, t *testing.T, url, query string) (*http.Response, *multipart.Reader) {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"query": query})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url+"/graphql", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", acceptDefer)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { res.Body.Close() })
	_, params, err := mime.ParseMediaType(res.Header.Get("Content-Type"))
	if err != nil {
		t.Fatal(err)
	}
	return res, multipart.NewReader(res.Body, params["boundary"])
}

func readPart(t *testing.T, r *multipart.Reader) string {
	t.Helper()
	p, err := r.NextPart()
	if err != nil {
		t.Fatalf("next part: %v", err)
	}
	b, err := io.ReadAll(p)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

const deferredStock = `{ product(id: "p1") { name ... @defer(label: "stock") { inStock } } }`

// TestDeferInitialPartBeforeDeferredFetch proves the initial payload
// reaches the client before the deferred fetch completes: the inventory
// subgraph answers only once the test has read the first part.
func TestDeferInitialPartBeforeDeferredFetch(t *testing.T) {
	t.Parallel()
	for _, multi := range []bool{true, false} {
		arrived, release := make(chan context.Context, 4), make(chan struct{})
		sdl := deferSubgraphs(t, gatedInventory(arrived, release))
		srv := startRouter(t, sdl, func(c *app.Config) { c.MultiFetch = multi })
		ctx, cancel := context.WithTimeout(context.Background(), safety)
		defer cancel()
		res, parts := openDefer(ctx, t, srv.URL, deferredStock)
		defer res.Body.Close()
		if got := readPart(t, parts); got != `{"data":{"product":{"name":"Lamp"}},"hasNext":true}` {
			t.Fatalf("first part %s", got)
		}
		close(release)
		if got := readPart(t, parts); got != `{"hasNext":false,"incremental":[{"data":{"inStock":true},"path":["product"],"label":"stock"}]}` {
			t.Fatalf("second part %s", got)
		}
		if _, err := parts.NextPart(); !errors.Is(err, io.EOF) {
			t.Fatalf("after the last part: %v", err)
		}
	}
}

// TestDeferClientGone cancels the request after the first part: the
// deferred subgraph request is cancelled and the router's handler returns.
func TestDeferClientGone(t *testing.T) {
	t.Parallel()
	arrived, release := make(chan context.Context, 4), make(chan struct{})
	defer close(release)
	sdl := deferSubgraphs(t, gatedInventory(arrived, release))
	r, err := app.New(app.DefaultConfig(), app.WithSupergraphSDL(sdl))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(r.Close)
	returned := make(chan struct{}, 1)
	h := r.Handler()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		h.ServeHTTP(w, req)
		returned <- struct{}{}
	}))
	t.Cleanup(srv.Close)
	ctx, cancel := context.WithCancel(context.Background())
	res, parts := openDefer(ctx, t, srv.URL, deferredStock)
	readPart(t, parts)
	var sub context.Context
	select {
	case sub = <-arrived:
	case <-time.After(safety):
		t.Fatal("the deferred fetch never started")
	}
	cancel()
	res.Body.Close()
	select {
	case <-sub.Done():
	case <-time.After(safety):
		t.Fatal("the deferred subgraph request was not cancelled")
	}
	select {
	case <-returned:
	case <-time.After(safety):
		t.Fatal("the router's handler did not return")
	}
}

// TestDeferTimeout lets the request timeout pass while a deferred fetch
// hangs: the stream ends with a GATEWAY_TIMEOUT payload and the closing
// delimiter.
func TestDeferTimeout(t *testing.T) {
	t.Parallel()
	arrived, release := make(chan context.Context, 4), make(chan struct{})
	defer close(release)
	sdl := deferSubgraphs(t, gatedInventory(arrived, release))
	srv := startRouter(t, sdl, func(c *app.Config) { c.Timeouts.Request = 300 * time.Millisecond })
	ctx, cancel := context.WithTimeout(context.Background(), safety)
	defer cancel()
	res, parts := openDefer(ctx, t, srv.URL, deferredStock)
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Fatalf("HTTP %d", res.StatusCode)
	}
	readPart(t, parts)
	last := readPart(t, parts)
	if !strings.Contains(last, `"hasNext":false`) || !strings.Contains(last, `"GATEWAY_TIMEOUT"`) {
		t.Fatalf("last part %s", last)
	}
	if _, err := parts.NextPart(); !errors.Is(err, io.EOF) {
		t.Fatalf("after the last part: %v", err)
	}
}
