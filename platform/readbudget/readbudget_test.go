package readbudget_test

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/shopsupergraph/shop/platform/readbudget"
)

// Concurrent spenders never take more than the budget together; a
// refused spend takes nothing; no budget, or Without, allows everything.
func TestSpend(t *testing.T) {
	t.Parallel()
	ctx := readbudget.With(context.Background(), 1000)
	var granted atomic.Int64
	var wg sync.WaitGroup
	for range 64 {
		wg.Go(func() {
			for range 10 {
				if readbudget.Spend(ctx, 3) == nil {
					granted.Add(3)
				}
			}
		})
	}
	wg.Wait()
	if g := granted.Load(); g != 999 {
		t.Fatalf("granted %d reads of 3 each, want 999 (333 spends) of a budget of 1000", g)
	}
	var ex *readbudget.ExceededError
	if err := readbudget.Spend(ctx, 2); !errors.As(err, &ex) || ex.Limit != 1000 || ex.Left != 1 || ex.Needed != 2 {
		t.Fatalf("spend over the budget: %v", err)
	}
	if err := readbudget.Spend(ctx, 1); err != nil {
		t.Fatalf("the last read: %v", err)
	}
	for _, free := range []context.Context{context.Background(), readbudget.Without(ctx)} {
		if err := readbudget.Spend(free, 1_000_000); err != nil {
			t.Fatalf("spend without a budget: %v", err)
		}
	}
}
