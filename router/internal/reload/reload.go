// Package reload serves the supergraph through a swappable engine: when
// the supergraph file changes, a new engine is built beside the old one and
// swapped in atomically. Requests already running finish on the engine they
// started on, which is released only once they are done; a file that does
// not load is rejected and the old graph keeps serving.
package reload

import (
	"bytes"
	"context"
	"crypto/sha256"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/shopsupergraph/shop/router/internal/engine"
)

// Builder builds an engine for a supergraph; the engine lives until ctx is
// cancelled.
type Builder func(ctx context.Context, sdl string) (*engine.Engine, error)

// Swapper is a server.Executor over the current engine generation.
type Swapper struct {
	base    context.Context
	build   Builder
	logger  *slog.Logger
	drain   time.Duration
	cur     atomic.Pointer[generation]
	mu      sync.Mutex // serializes reloads
	lastSum [sha256.Size]byte
	// OnSwap, when set, is called after each successful swap (tests,
	// metrics); it must not block.
	OnSwap func(*engine.Engine)
}

type generation struct {
	eng      *engine.Engine
	cancel   context.CancelFunc
	inflight atomic.Int64
}

// New builds the first engine from sdl. base bounds every generation;
// drain bounds how long a retired engine waits for its requests.
func New(base context.Context, sdl string, build Builder, drain time.Duration, logger *slog.Logger) (*Swapper, error) {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	s := &Swapper{base: base, build: build, logger: logger, drain: drain}
	g, err := s.newGeneration(sdl)
	if err != nil {
		return nil, err
	}
	s.cur.Store(g)
	s.lastSum = sha256.Sum256([]byte(sdl))
	return s, nil
}

func (s *Swapper) newGeneration(sdl string) (*generation, error) {
	ctx, cancel := context.WithCancel(s.base)
	eng, err := s.build(ctx, sdl)
	if err != nil {
		cancel()
		return nil, err
	}
	return &generation{eng: eng, cancel: cancel}, nil
}

// acquire pins the current generation for one request. The second load
// closes the race with a swap: a request that pinned a generation after
// it was retired lets go and pins the new one, so a retired generation's
// count only falls once the swap happened.
func (s *Swapper) acquire() *generation {
	for {
		g := s.cur.Load()
		g.inflight.Add(1)
		if s.cur.Load() == g {
			return g
		}
		g.inflight.Add(-1)
	}
}

// Execute runs the request on the current engine.
func (s *Swapper) Execute(ctx context.Context, req *engine.Request, header http.Header, w io.Writer, o engine.ExecOptions) error {
	g := s.acquire()
	defer g.inflight.Add(-1)
	return g.eng.Execute(ctx, req, header, w, o)
}

// Current returns the engine new requests run on.
func (s *Swapper) Current() *engine.Engine { return s.cur.Load().eng }

// Reload builds an engine for sdl and swaps it in; on error the current
// engine stays. An unchanged supergraph is not rebuilt.
func (s *Swapper) Reload(sdl string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	sum := sha256.Sum256([]byte(sdl))
	if sum == s.lastSum {
		return nil
	}
	g, err := s.newGeneration(sdl)
	if err != nil {
		return fmt.Errorf("reload supergraph: %w", err)
	}
	old := s.cur.Swap(g)
	s.lastSum = sum
	if s.OnSwap != nil {
		s.OnSwap(g.eng)
	}
	go s.retire(old)
	return nil
}

// retire releases a generation once its requests are done (or the drain
// time is up, so a stuck request cannot pin an engine forever).
func (s *Swapper) retire(g *generation) {
	deadline := time.Now().Add(s.drain)
	for g.inflight.Load() > 0 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	g.cancel()
}

// Close releases the current engine.
func (s *Swapper) Close() { s.cur.Load().cancel() }

// Watch polls path every interval until ctx ends and reloads the graph
// when the file's content changes. Failed reloads are logged; the file is
// retried when it changes again.
func (s *Swapper) Watch(ctx context.Context, path string, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	var lastMod time.Time
	var lastSize int64 = -1
	var lastBad []byte
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		st, err := os.Stat(path)
		if err != nil {
			s.logger.Warn("supergraph watch", "path", path, "err", err)
			continue
		}
		if st.ModTime().Equal(lastMod) && st.Size() == lastSize {
			continue
		}
		data, err := os.ReadFile(path)
		if err != nil {
			s.logger.Warn("supergraph watch", "path", path, "err", err)
			continue
		}
		lastMod, lastSize = st.ModTime(), st.Size()
		if lastBad != nil && bytes.Equal(data, lastBad) {
			continue
		}
		if err := s.Reload(string(data)); err != nil {
			lastBad = data
			s.logger.Error("supergraph rejected; still serving the previous graph", "path", path, "err", err)
			continue
		}
		lastBad = nil
		s.logger.Info("supergraph reloaded", "path", path)
	}
}
