package inventory

import (
	"context"
	"sync"
	"time"
)

// jobTimeout bounds one shared job (a head read or a snapshot round). It
// runs detached from any one caller: others may be waiting for it.
const jobTimeout = 5 * time.Second

// coalescer runs at most one job per key at a time, and lets the callers
// that arrive while a job runs share the next one. Every caller thus gets
// the result of a job that started after it asked (so a shared head read
// is as fresh as a private one), while a crowd of callers costs two jobs
// instead of one each. Each caller brings an argument; a job gets those of
// every caller it serves.
type coalescer[A, T any] struct {
	mu    sync.Mutex
	slots map[string]*slot[A, T]
	job   func(ctx context.Context, key string, args []A) (T, error)
}

type slot[A, T any] struct {
	running bool
	next    *batch[A, T]
}

type batch[A, T any] struct {
	args []A
	done chan struct{}
	val  T
	err  error
}

func newCoalescer[A, T any](job func(ctx context.Context, key string, args []A) (T, error)) *coalescer[A, T] {
	return &coalescer[A, T]{slots: map[string]*slot[A, T]{}, job: job}
}

// do returns the result of a job for key that starts after the call and
// sees arg. When ctx ends first, do returns ctx's error and the job goes
// on for the others.
func (c *coalescer[A, T]) do(ctx context.Context, key string, arg A) (T, error) {
	c.mu.Lock()
	sl := c.slots[key]
	if sl == nil {
		sl = &slot[A, T]{}
		c.slots[key] = sl
	}
	if sl.next == nil {
		sl.next = &batch[A, T]{done: make(chan struct{})}
	}
	b := sl.next
	b.args = append(b.args, arg)
	if !sl.running {
		sl.running = true
		go c.runs(key, sl)
	}
	c.mu.Unlock()
	select {
	case <-b.done:
		return b.val, b.err
	case <-ctx.Done():
		var zero T
		return zero, ctx.Err()
	}
}

// runs serves the waiting batches of key, one job each, until none waits.
func (c *coalescer[A, T]) runs(key string, sl *slot[A, T]) {
	for {
		c.mu.Lock()
		b := sl.next
		if b == nil {
			sl.running = false
			delete(c.slots, key)
			c.mu.Unlock()
			return
		}
		sl.next = nil
		c.mu.Unlock()
		ctx, cancel := context.WithTimeout(context.Background(), jobTimeout)
		b.val, b.err = c.job(ctx, key, b.args)
		cancel()
		close(b.done)
	}
}
