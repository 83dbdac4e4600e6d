package app_test

import (
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/shopsupergraph/shop/platform/testenv"
)

// TestReservationContinuesTheCallersTrace: the reservation call to
// products carries the trace of the placeOrder request that made it.
func TestReservationContinuesTheCallersTrace(t *testing.T) {
	t.Parallel()
	h := start(t)
	choc := h.inv.AddProduct(20, 10)
	const traceID = "5bf92f3577b34da6a3ce929d0e0e4736"
	hdr := h.bearer(t, "65a0000000000000000000a1")
	hdr["traceparent"] = "00-" + traceID + "-00f067aa0ba902b7-01"
	if r := h.do(t, hdr, seedPlaceOrder, map[string]any{"id": choc, "q": 1}, nil); len(r.Errors) > 0 {
		t.Fatal(r.Errors)
	}
	got := h.traceparents.all()
	if len(got) == 0 {
		t.Fatal("products was not called")
	}
	for _, tp := range got {
		if parts := strings.Split(tp, "-"); len(parts) != 4 || parts[1] != traceID {
			t.Fatalf("products got traceparent %q, want trace %s", tp, traceID)
		}
	}
}

// TestShutdownDrainsBeforeClosing: on SIGTERM /ready fails at once while
// /health and GraphQL still answer; the port closes only after
// SHUTDOWN_DRAIN_DELAY.
func TestShutdownDrainsBeforeClosing(t *testing.T) {
	t.Parallel()
	const delay = 1500 * time.Millisecond
	h := startWith(t, testenv.Get(t), map[string]string{"SHUTDOWN_DRAIN_DELAY": delay.String()})
	client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}, Timeout: 5 * time.Second}
	status := func(path string) int {
		t.Helper()
		resp, err := client.Get(h.url + path)
		if err != nil {
			t.Fatalf("GET %s while draining: %v", path, err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	began := time.Now()
	stopped := make(chan struct{})
	go func() { h.stop(); close(stopped) }()
	for status("/ready") != http.StatusServiceUnavailable {
		if time.Since(began) > delay/2 {
			t.Fatal("/ready did not fail on shutdown")
		}
		time.Sleep(20 * time.Millisecond)
	}
	if c := status("/health"); c != http.StatusOK {
		t.Fatalf("/health while draining = %d", c)
	}
	if r := h.do(t, h.bearer(t, "65a0000000000000000000a2"), `{ orders { _id } }`, nil, nil); len(r.Errors) > 0 {
		t.Fatalf("query while draining: %+v", r.Errors)
	}
	if time.Since(began) >= delay {
		t.Fatal("the checks outlasted the drain delay; they prove nothing")
	}
	<-stopped
	if d := time.Since(began); d < delay {
		t.Fatalf("stopped after %s, before the drain delay of %s", d, delay)
	}
	if c, err := net.DialTimeout("tcp", strings.TrimPrefix(h.url, "http://"), time.Second); err == nil {
		c.Close()
		t.Fatal("connection accepted after shutdown")
	}
}
