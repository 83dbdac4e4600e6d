package inventory

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// A crowd of callers shares few jobs, yet every caller's result comes from
// a job that started after it asked and saw its argument.
func TestCoalescerSharesJobsThatStartAfterTheCall(t *testing.T) {
	t.Parallel()
	var clock atomic.Int64 // a logical clock: calls and job starts tick it
	var jobs atomic.Int32
	type run struct {
		started int64
		args    map[int]bool
	}
	c := newCoalescer(func(_ context.Context, _ string, args []int) (run, error) {
		jobs.Add(1)
		r := run{started: clock.Add(1), args: map[int]bool{}}
		for _, a := range args {
			r.args[a] = true
		}
		time.Sleep(5 * time.Millisecond)
		return r, nil
	})
	const callers = 100
	var wg sync.WaitGroup
	for i := range callers {
		wg.Go(func() {
			asked := clock.Add(1)
			r, err := c.do(context.Background(), "product", i)
			switch {
			case err != nil:
				t.Errorf("caller %d: %v", i, err)
			case r.started <= asked:
				t.Errorf("caller %d asked at %d but got a job started at %d", i, asked, r.started)
			case !r.args[i]:
				t.Errorf("caller %d got a job that did not see its argument", i)
			}
		})
	}
	wg.Wait()
	if n := jobs.Load(); n >= callers/2 {
		t.Errorf("%d jobs for %d concurrent callers; want them shared", n, callers)
	}
	// The last job's runner drops the key right after serving it.
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(time.Millisecond) {
		c.mu.Lock()
		n := len(c.slots)
		c.mu.Unlock()
		if n == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d idle slots kept", n)
		}
	}
}

// A caller whose context ends stops waiting; the job still serves the others.
func TestCoalescerCallerGivesUp(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	c := newCoalescer(func(context.Context, string, []int) (int, error) {
		<-release
		return 7, nil
	})
	ctx, cancel := context.WithCancel(context.Background())
	got := make(chan int, 1)
	go func() {
		v, _ := c.do(context.Background(), "k", 1)
		got <- v
	}()
	cancel()
	if _, err := c.do(ctx, "k", 2); err == nil {
		t.Fatal("a caller with an ended context should get its error")
	}
	close(release)
	if v := <-got; v != 7 {
		t.Fatalf("patient caller got %d, want 7", v)
	}
}
