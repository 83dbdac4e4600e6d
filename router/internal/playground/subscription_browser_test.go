//go:build linux

package playground_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/shopsupergraph/shop/router/app"
	"github.com/shopsupergraph/shop/router/internal/engine"
	"github.com/shopsupergraph/shop/router/internal/fedtest"
	"github.com/shopsupergraph/shop/router/internal/subscriptions"
)

// stockStream is the inventory subgraph's inventoryUpdated subscription:
// each open subscription gets the events published while it is open.
type stockStream struct {
	mu   sync.Mutex
	subs map[chan fedtest.Obj]bool
}

func (s *stockStream) open() chan fedtest.Obj {
	s.mu.Lock()
	defer s.mu.Unlock()
	ch := make(chan fedtest.Obj, 16)
	s.subs[ch] = true
	return ch
}

func (s *stockStream) close(ch chan fedtest.Obj) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.subs, ch)
}

func (s *stockStream) active() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.subs)
}

func (s *stockStream) publish(ev fedtest.Obj) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for ch := range s.subs {
		ch <- ev
	}
}

// startStreamingShop serves the router's subscription test graph (see
// router/app/testdata/subscriptions): products over HTTP and inventory
// with inventoryUpdated over SSE, behind a router.
func startStreamingShop(t *testing.T) (string, *stockStream) {
	t.Helper()
	read := func(name string) string {
		data, err := os.ReadFile(filepath.Join("..", "..", "app", "testdata", "subscriptions", name))
		if err != nil {
			t.Fatal(err)
		}
		return string(data)
	}
	products := fedtest.Table{{"_id": "p1", "name": "chocolate", "price": 20}}
	psg, err := fedtest.NewSubgraph("products", read("products.graphql"), fedtest.Resolvers{
		Root:     map[string]map[string]any{"Query": {"products": products.All()}},
		Entities: map[string]fedtest.EntityFunc{"Product": products.Lookup("_id")},
	})
	if err != nil {
		t.Fatal(err)
	}
	// Each event is executed against the subscription's selection set: the
	// resolver returns the event being delivered (execution is serialized).
	var execMu sync.Mutex
	var current fedtest.Obj
	stock := fedtest.Table{{"_id": "p1", "quantity": 10}}
	isg, err := fedtest.NewSubgraph("inventory", read("inventory.graphql"), fedtest.Resolvers{
		Root: map[string]map[string]any{"Subscription": {
			"inventoryUpdated": fedtest.FieldFunc(func(map[string]any) (any, error) { return current, nil }),
		}},
		Entities: map[string]fedtest.EntityFunc{"Product": stock.Lookup("_id")},
	})
	if err != nil {
		t.Fatal(err)
	}
	stream := &stockStream{subs: map[chan fedtest.Obj]bool{}}
	run := func(ctx context.Context, req *engine.Request, _ http.Header, w engine.SubscriptionWriter) error {
		ch := stream.open()
		defer stream.close(ch)
		for {
			select {
			case <-ctx.Done():
				return nil
			case ev := <-ch:
				execMu.Lock()
				current = ev
				resp, _ := isg.Execute(req.Query, req.OperationName, nil)
				execMu.Unlock()
				data, err := json.Marshal(resp)
				if err != nil {
					return err
				}
				if _, err := w.Write(data); err != nil {
					return err
				}
				if err := w.Flush(); err != nil {
					return err
				}
			}
		}
	}
	streams := subscriptions.New(run, subscriptions.Options{})
	inventory := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if subscriptions.Accepts(r) {
			streams.ServeHTTP(w, r)
			return
		}
		isg.ServeHTTP(w, r)
	})
	sdl := read("supergraph.graphql")
	for name, h := range map[string]http.Handler{"products": psg, "inventory": inventory} {
		srv := httptest.NewServer(h)
		t.Cleanup(srv.Close)
		sdl = strings.ReplaceAll(sdl, "http://"+name+".invalid/graphql", srv.URL+"/graphql")
	}
	r, err := app.New(app.DefaultConfig(), app.WithSupergraphSDL(sdl))
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(r.Handler())
	t.Cleanup(func() { srv.Close(); r.Close() })
	return srv.URL, stream
}

// TestPlaygroundSubscriptionInChromium runs a subscription from the
// playground over SSE, sees an event in the result pane and stops it with
// the Stop button, which ends the subgraph subscription.
func TestPlaygroundSubscriptionInChromium(t *testing.T) {
	chrome := chromiumPath()
	if chrome == "" {
		t.Skip("no chromium binary on PATH (apt-get install -y chromium); skipping the browser test")
	}
	url, stream := startStreamingShop(t)
	bctx := startBrowser(t, chrome)
	ctx, cancel := context.WithTimeout(bctx, 90*time.Second)
	defer cancel()
	poll := func(expr string) chromedp.Action {
		return chromedp.Poll(expr, nil, chromedp.WithPollingTimeout(20*time.Second))
	}
	const op = "subscription Stock { inventoryUpdated { _id quantity name } }"
	err := chromedp.Run(ctx,
		chromedp.Navigate(url+"/"),
		poll(`document.getElementById("schema-state").className === "ok"`),
		chromedp.SetValue("#query", op, chromedp.ByID),
		chromedp.Click("#run", chromedp.ByID),
		poll(`document.getElementById("status").textContent.startsWith("Subscribed")`),
	)
	if err != nil {
		t.Fatalf("subscribe: %v", err)
	}
	waitFor(t, func() bool { return stream.active() == 1 })
	stream.publish(fedtest.Obj{"_id": "p1", "quantity": 8})
	var result, status string
	err = chromedp.Run(ctx,
		poll(`document.getElementById("result").textContent.includes('"quantity": 8')`),
		chromedp.Text("#result", &result, chromedp.ByID),
		chromedp.WaitVisible("#stop", chromedp.ByID),
		chromedp.Click("#stop", chromedp.ByID),
		poll(`document.getElementById("status").textContent.startsWith("Stopped")`),
		chromedp.Text("#status", &status, chromedp.ByID),
	)
	if err != nil {
		t.Fatalf("event and stop: %v", err)
	}
	if !strings.Contains(result, `"name": "chocolate"`) {
		t.Fatalf("event %q lacks the products subgraph's name", result)
	}
	waitFor(t, func() bool { return stream.active() == 0 })
	t.Logf("subscription: %s", status)
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("timed out waiting for the subgraph subscription")
		}
		time.Sleep(20 * time.Millisecond)
	}
}
