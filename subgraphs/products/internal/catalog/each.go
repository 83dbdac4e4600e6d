package catalog

import (
	"context"
	"errors"
	"sync"
)

// readConcurrency bounds the point reads one call runs at once.
const readConcurrency = 8

// each runs f for every index below n, at most readConcurrency at once,
// and returns the errors joined. The first error cancels the calls not
// yet done.
func each(ctx context.Context, n int, f func(ctx context.Context, i int) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	sem := make(chan struct{}, readConcurrency)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			if errs[i] = f(ctx, i); errs[i] != nil {
				cancel()
			}
		})
	}
	wg.Wait()
	return errors.Join(errs...)
}
