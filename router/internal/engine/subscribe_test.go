package engine

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

// discardWriter is a SubscriptionWriter that keeps what it is sent.
type discardWriter struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (w *discardWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.Write(p)
}
func (w *discardWriter) Flush() error     { return nil }
func (w *discardWriter) Complete()        {}
func (w *discardWriter) Heartbeat() error { return nil }
func (w *discardWriter) Error(p []byte)   { _, _ = w.Write(p) }

// TestSubscriptionsArePlannedOnce checks that subscriptions go through the
// plan cache: ten concurrent subscriptions of one document plan it once.
func TestSubscriptionsArePlannedOnce(t *testing.T) {
	t.Parallel()
	sdl, err := os.ReadFile(filepath.Join("..", "..", "app", "testdata", "subscriptions", "supergraph.graphql"))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	e, err := New(ctx, Options{SupergraphSDL: string(sdl), MultiFetch: true})
	if err != nil {
		t.Fatal(err)
	}
	const q = `subscription Stock { inventoryUpdated { _id quantity name price } }`
	var wg sync.WaitGroup
	for i := 0; i < 10; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			// The subgraph cannot be reached: the subscription ends once
			// planned and started, or when its context does.
			sctx, stop := context.WithTimeout(ctx, 200*time.Millisecond)
			defer stop()
			if err := e.Subscribe(sctx, &Request{Query: q}, nil, &discardWriter{}); err != nil {
				if _, refused := AsRequestError(err); refused {
					t.Errorf("subscription %d refused: %v", i, err)
				}
			}
		}()
	}
	wg.Wait()
	if n := e.plannings.Load(); n != 1 {
		t.Fatalf("plannings: %d, want 1", n)
	}
}
