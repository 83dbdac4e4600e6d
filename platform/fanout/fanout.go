// Package fanout runs many independent point operations at once, a few at
// a time: on a store where only look-ups by _id are cheap, a page of N
// items is N point reads, and running them together hides round trips
// without crowding out other requests.
package fanout

import (
	"context"

	"golang.org/x/sync/errgroup"
)

// PointReads is the default bound: enough to hide round trips, few enough
// not to crowd out other requests.
const PointReads = 8

// Each runs f(ctx, i) for every i below n, at most limit at once, and
// returns the first error; ctx passed to f is cancelled once one fails.
func Each(ctx context.Context, n, limit int, f func(ctx context.Context, i int) error) error {
	if n == 1 {
		return f(ctx, 0)
	}
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(max(limit, 1))
	for i := range n {
		g.Go(func() error { return f(gctx, i) })
	}
	return g.Wait() //nolint:wrapcheck // f's own errors
}
