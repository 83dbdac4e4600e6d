package mongostore

import (
	"context"
	"sync"
)

// maxParallel bounds the point reads one call runs at once: enough to hide
// round trips, few enough not to crowd out other requests.
const maxParallel = 8

// parallel runs fn(ctx, 0..n-1) with at most maxParallel calls at once and
// returns the first error; after an error the remaining calls are skipped
// and ctx is cancelled for those running.
func parallel(ctx context.Context, n int, fn func(ctx context.Context, i int) error) error {
	if n == 1 {
		return fn(ctx, 0)
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		wg    sync.WaitGroup
		once  sync.Once
		first error
	)
	sem := make(chan struct{}, maxParallel)
	for i := range n {
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
		}
		if ctx.Err() != nil {
			break
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			if err := fn(ctx, i); err != nil {
				once.Do(func() { first = err; cancel() })
			}
		}()
	}
	wg.Wait()
	if first == nil && ctx.Err() != nil {
		// The caller's context ended before every call ran.
		return context.Cause(ctx)
	}
	return first
}
