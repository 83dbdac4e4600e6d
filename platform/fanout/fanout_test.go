package fanout_test

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/shopsupergraph/shop/platform/fanout"
)

func TestEachRunsAllWithinTheBound(t *testing.T) {
	t.Parallel()
	var running, most, done atomic.Int32
	err := fanout.Each(context.Background(), 40, 3, func(_ context.Context, _ int) error {
		n := running.Add(1)
		for {
			m := most.Load()
			if n <= m || most.CompareAndSwap(m, n) {
				break
			}
		}
		time.Sleep(time.Millisecond)
		running.Add(-1)
		done.Add(1)
		return nil
	})
	if err != nil || done.Load() != 40 || most.Load() > 3 {
		t.Fatalf("err %v, done %d, most at once %d; want nil, 40, at most 3", err, done.Load(), most.Load())
	}
}

func TestEachReturnsAnErrorAndCancels(t *testing.T) {
	t.Parallel()
	boom := errors.New("boom")
	var cancelled atomic.Int32
	err := fanout.Each(context.Background(), 20, 2, func(ctx context.Context, i int) error {
		if i == 0 {
			return boom
		}
		time.Sleep(2 * time.Millisecond)
		if ctx.Err() != nil {
			cancelled.Add(1)
		}
		return nil
	})
	if !errors.Is(err, boom) {
		t.Fatalf("err = %v, want boom", err)
	}
	if cancelled.Load() == 0 {
		t.Fatal("calls after the failure did not see a cancelled context")
	}
}
