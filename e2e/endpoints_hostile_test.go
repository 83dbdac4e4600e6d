package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/shopsupergraph/shop/e2e/harness"
)

// TestHostileEndpoints sends what an attacker would to every endpoint,
// the router and each subgraph directly (teams query subgraphs too):
// oversized and trickled bodies, fragment fan-out, quadratic-to-validate
// documents and a subscription flood. Each must be refused quickly with a
// clear answer and leave every process up and small.
func TestHostileEndpoints(t *testing.T) {
	t.Parallel()
	const subsPerAddr = 40
	sys := harness.Start(t, bins, harness.Options{Env: map[string]string{
		// Short enough to keep the test quick; the defaults are 15 s.
		"HTTP_BODY_TIMEOUT":                  "2s",
		"GRAPHQL_MAX_SUBSCRIPTIONS_PER_ADDR": fmt.Sprint(subsPerAddr),
	}})
	s := newShop(t, sys, 0)
	// The subtests run in parallel, after this function returns.
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	t.Cleanup(cancel)
	s.createProduct(ctx, "bait", 100, 10)

	// list and typ name a list field of the endpoint and its element type,
	// for the fragment fan-out below it.
	endpoints := []struct {
		name, url, list, typ string
	}{
		{"router", sys.Router(), "products", "Product"},
		{"users", sys.Users.GraphQL(), "users", "User"},
		{"products", sys.Products[0].GraphQL(), "products", "Product"},
		{"orders", sys.Orders[0].GraphQL(), "orders", "Order"},
	}
	// Each fragment spreads the next twice: 25 levels expand to 2^25
	// selections from a 1.5 KB document.
	fanout := func(list, typ string) string {
		var b strings.Builder
		fmt.Fprintf(&b, "{ %s { ...F0 } }", list)
		for i := range 25 {
			fmt.Fprintf(&b, " fragment F%d on %s { _id ...F%d ...F%d }", i, typ, i+1, i+1)
		}
		fmt.Fprintf(&b, " fragment F25 on %s { _id }", typ)
		return b.String()
	}
	typenames := "{" + strings.Repeat(" __typename", 10000) + " }"

	for _, ep := range endpoints {
		t.Run(ep.name, func(t *testing.T) {
			t.Parallel()
			c := harness.NewClient(ep.url)
			c.HTTP.Timeout = 30 * time.Second

			t.Run("20 MB body", func(t *testing.T) {
				body := io.MultiReader(strings.NewReader(`{"query":"{ __typename }","variables":{"pad":"`),
					io.LimitReader(repeatX{}, 20<<20), strings.NewReader(`"}}`))
				r, err := c.Raw(ctx, http.MethodPost, "", body, map[string]string{"Content-Type": "application/json"})
				if err != nil {
					t.Fatalf("no answer: %v", err)
				}
				if r.Status < 400 || r.Status >= 500 || len(r.Body) > 4096 {
					t.Fatalf("status %d, %d bytes (want a short 4xx): %.300s", r.Status, len(r.Body), r.Body)
				}
			})

			for _, doc := range []struct{ name, query, code string }{
				{"fragment fan-out", fanout(ep.list, ep.typ), "MAX_FIELDS_LIMIT"},
				{"10,000 repeated fields", typenames, ""},
			} {
				t.Run(doc.name, func(t *testing.T) {
					began := time.Now()
					r, err := c.Do(ctx, doc.query, nil, nil)
					if err != nil {
						t.Fatalf("no answer: %v", err)
					}
					if len(r.Errors) == 0 || len(r.Codes()) == 0 || r.Codes()[0] == "" || (doc.code != "" && !r.HasCode(doc.code)) {
						t.Fatalf("accepted or refused without the code %q after %s (status %d): %.300s", doc.code, time.Since(began), r.Status, r.Body)
					}
					t.Logf("%s: %v in %s", doc.name, r.Codes(), time.Since(began).Round(time.Millisecond))
				})
			}

			t.Run("trickled body", func(t *testing.T) {
				// The subgraphs here allow 2 s for a body, the router its
				// default 15 s; a byte every 500 ms would take 30 s.
				status, took := trickle(t, strings.TrimPrefix(strings.TrimSuffix(ep.url, "/graphql"), "http://"), 500*time.Millisecond)
				if status != http.StatusRequestTimeout {
					t.Fatalf("trickled body: status %d after %s, want 408", status, took)
				}
				t.Logf("cut off after %s", took.Round(100*time.Millisecond))
			})
		})
	}

	t.Run("subscription flood", func(t *testing.T) {
		t.Parallel()
		for _, ep := range []struct {
			name, url string
			cap       int
		}{{"products", sys.Products[0].GraphQL(), subsPerAddr}, {"router", sys.Router(), 100}} {
			t.Run(ep.name, func(t *testing.T) {
				fctx, stop := context.WithCancel(ctx)
				defer stop()
				c := harness.NewClient(ep.url)
				accepted, refused := 0, 0
				var mu sync.Mutex
				var wg sync.WaitGroup
				for range ep.cap + 20 {
					wg.Add(1)
					go func() {
						defer wg.Done()
						_, err := c.Subscribe(fctx, `subscription { inventoryUpdated { _id } }`, nil, nil)
						mu.Lock()
						defer mu.Unlock()
						if err != nil {
							if !strings.Contains(err.Error(), "status 429") && !strings.Contains(err.Error(), "status 503") {
								t.Errorf("refusal without 429/503: %v", err)
							}
							refused++
							return
						}
						accepted++
					}()
				}
				wg.Wait()
				t.Logf("%d accepted, %d refused", accepted, refused)
				if accepted > ep.cap || refused == 0 {
					t.Fatalf("%d subscriptions from one address: %d accepted, %d refused; want at most %d accepted", ep.cap+20, accepted, refused, ep.cap)
				}
			})
		}
	})

	t.Cleanup(func() {
		sys.CheckAlive(t)
		for _, v := range sys.Services() {
			if rss := rssBytes(v.Proc.Pid()); rss > 512<<20 {
				t.Errorf("%s uses %d MiB after the hostile requests", v.Name, rss>>20)
			}
		}
	})
}

type repeatX struct{}

func (repeatX) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = 'x'
	}
	return len(p), nil
}

// trickle sends a POST whose body arrives a byte per every, and returns
// the status the server answered with and when (0 when it never answered
// within 40 s).
func trickle(t *testing.T, addr string, every time.Duration) (int, time.Duration) {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close() //nolint:errcheck // test connection
	body, _ := json.Marshal(map[string]string{"query": "{ __typename }"})
	began := time.Now()
	if _, err := fmt.Fprintf(conn, "POST /graphql HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n", addr, len(body)+60); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	defer close(done)
	go func() {
		for _, b := range bytes.Repeat([]byte(" "), 60) {
			select {
			case <-done:
				return
			case <-time.After(every):
			}
			if _, err := conn.Write([]byte{b}); err != nil {
				return
			}
		}
	}()
	_ = conn.SetReadDeadline(time.Now().Add(40 * time.Second))
	line, err := readStatusLine(conn)
	if err != nil {
		return 0, time.Since(began)
	}
	var status int
	if _, err := fmt.Sscanf(line, "HTTP/1.1 %d", &status); err != nil {
		t.Fatalf("status line %q: %v", line, err)
	}
	return status, time.Since(began)
}

func readStatusLine(conn net.Conn) (string, error) {
	var line []byte
	b := make([]byte, 1)
	for {
		if _, err := conn.Read(b); err != nil {
			return string(line), err
		}
		if b[0] == '\n' {
			return strings.TrimSpace(string(line)), nil
		}
		line = append(line, b[0])
	}
}
