package input_test

import (
	"errors"
	"testing"

	"github.com/shopsupergraph/shop/subgraphs/products/internal/input"
)

func ptr(v int) *int { return &v }

// Every refusal names its field and matches ErrInvalid; accepted ids come
// back in lower case and a missing page takes the defaults.
func TestChecks(t *testing.T) {
	t.Parallel()
	refusals := []struct {
		name  string
		field string
		err   error
	}{
		{"short id", "id", func() error { _, err := input.ID("id", "abc"); return err }()},
		{"id with a non-hex digit", "productId", func() error { _, err := input.ID("productId", "64b7f0c2a1b2c3d4e5f6071z"); return err }()},
		{"count below its minimum", "quantity", input.Count("quantity", 0, 1)},
		{"count above an int32", "price", input.Count("price", input.MaxInt+1, 0)},
		{"negative skip", "skip", func() error { _, _, err := input.Page(ptr(-1), nil); return err }()},
		{"skip too far", "skip", func() error { _, _, err := input.Page(ptr(input.MaxSkip+1), nil); return err }()},
		{"take of zero", "take", func() error { _, _, err := input.Page(nil, ptr(0)); return err }()},
		{"take too large", "take", func() error { _, _, err := input.Page(nil, ptr(input.MaxTake+1)); return err }()},
	}
	for _, c := range refusals {
		var e *input.Error
		if !errors.As(c.err, &e) || e.Field != c.field || !errors.Is(c.err, input.ErrInvalid) {
			t.Errorf("%s: got %v, want an input.Error on %q matching ErrInvalid", c.name, c.err, c.field)
		}
	}
	if id, err := input.ID("id", "64B7F0C2A1B2C3D4E5F60718"); err != nil || id != "64b7f0c2a1b2c3d4e5f60718" {
		t.Errorf("ID = %q (%v), want the id in lower case", id, err)
	}
	if err := input.Count("quantity", input.MaxInt, 1); err != nil {
		t.Errorf("Count(MaxInt) = %v, want accepted", err)
	}
	if s, n, err := input.Page(nil, nil); err != nil || s != 0 || n != input.DefaultTake {
		t.Errorf("Page(nil, nil) = %d, %d (%v), want 0, %d", s, n, err, input.DefaultTake)
	}
}
