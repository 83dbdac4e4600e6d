package stack

import (
	"context"
	"log/slog"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"sync/atomic"
	"time"

	"github.com/shopsupergraph/shop/platform/httpx"
)

// serveRoundRobin forwards each request on ln to the next of targets in
// turn: a stand-in for the load balancer in front of products replicas, so
// orders' reservations reach every replica.
func serveRoundRobin(ctx context.Context, ln net.Listener, targets []string, log *slog.Logger) error {
	urls := make([]*url.URL, len(targets))
	for i, t := range targets {
		u, err := url.Parse(t)
		if err != nil {
			return err //nolint:wrapcheck // our own URLs; cannot fail
		}
		urls[i] = u
	}
	var next atomic.Uint64
	proxy := &httputil.ReverseProxy{
		Rewrite: func(r *httputil.ProxyRequest) {
			r.SetURL(urls[next.Add(1)%uint64(len(urls))])
			r.Out.Host = r.In.Host
		},
		Transport: &http.Transport{MaxIdleConnsPerHost: 64, IdleConnTimeout: 90 * time.Second},
	}
	return httpx.Serve(ctx, ln, proxy, log.With("part", "products-balancer"), 5*time.Second) //nolint:wrapcheck // the stack reports it
}
