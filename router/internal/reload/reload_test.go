package reload

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/shopsupergraph/shop/router/internal/engine"
	"github.com/shopsupergraph/shop/router/internal/fedtest"
)

func supergraphSDL(t *testing.T) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(fedtest.Dir(), "simple-entity", "supergraph.graphql"))
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

func TestReload(t *testing.T) {
	t.Parallel()
	sdl := supergraphSDL(t)
	builds := 0
	build := func(ctx context.Context, sdl string) (*engine.Engine, error) {
		builds++
		return engine.New(ctx, engine.Options{SupergraphSDL: sdl})
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	s, err := New(ctx, sdl, build, 0, nil)
	if err != nil {
		t.Fatal(err)
	}
	first := s.Current()
	if err := s.Reload(sdl); err != nil || builds != 1 || s.Current() != first {
		t.Fatalf("unchanged supergraph rebuilt: err %v, builds %d", err, builds)
	}
	if err := s.Reload("type Query {"); err == nil || s.Current() != first {
		t.Fatalf("invalid supergraph swapped in (err %v)", err)
	}
	var swapped *engine.Engine
	s.OnSwap = func(e *engine.Engine) { swapped = e }
	if err := s.Reload(sdl + "\n# changed\n"); err != nil {
		t.Fatal(err)
	}
	if s.Current() == first || swapped != s.Current() {
		t.Fatal("valid supergraph not swapped in")
	}
	if _, err := New(ctx, "nonsense", build, 0, nil); err == nil {
		t.Fatal("invalid first supergraph accepted")
	}
}
