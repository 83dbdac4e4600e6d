package app_test

import (
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/shopsupergraph/shop/platform/testenv"
)

// TestShutdownDrainsBeforeClosing: on SIGTERM /ready fails at once while
// /health, GraphQL and the internal API still answer; the port closes
// only after SHUTDOWN_DRAIN_DELAY.
func TestShutdownDrainsBeforeClosing(t *testing.T) {
	t.Parallel()
	const delay = 1500 * time.Millisecond
	in := startWith(t, testenv.Get(t), newShared(), map[string]string{"SHUTDOWN_DRAIN_DELAY": delay.String()})
	p := in.create(t, "drained", 100, 10)
	client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}, Timeout: 5 * time.Second}
	status := func(path string) int {
		t.Helper()
		resp, err := client.Get(in.URL + path)
		if err != nil {
			t.Fatalf("GET %s while draining: %v", path, err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	began := time.Now()
	stopped := make(chan struct{})
	go func() { in.stop(); close(stopped) }()
	for status("/ready") != http.StatusServiceUnavailable {
		if time.Since(began) > delay/2 {
			t.Fatal("/ready did not fail on shutdown")
		}
		time.Sleep(20 * time.Millisecond)
	}
	if c := status("/health"); c != http.StatusOK {
		t.Fatalf("/health while draining = %d", c)
	}
	if r := in.gql(t, `query($id: ID!) { product(id: $id) { name } }`, map[string]any{"id": p.ID}); len(r.Errors) > 0 {
		t.Fatalf("query while draining: %+v", r.Errors)
	}
	if time.Since(began) >= delay {
		t.Fatal("the checks outlasted the drain delay; they prove nothing")
	}
	<-stopped
	if d := time.Since(began); d < delay {
		t.Fatalf("stopped after %s, before the drain delay of %s", d, delay)
	}
	if c, err := net.DialTimeout("tcp", strings.TrimPrefix(in.URL, "http://"), time.Second); err == nil {
		c.Close()
		t.Fatal("connection accepted after shutdown")
	}
}
