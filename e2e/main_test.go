package e2e

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/shopsupergraph/shop/e2e/harness"
)

// bins are the binaries built once by TestMain for every test.
var bins *harness.Binaries

func TestMain(m *testing.M) {
	os.Exit(runMain(m))
}

func runMain(m *testing.M) int {
	// The suite builds every binary and runs for minutes: `make test` walks
	// every module, so the suite runs only when asked (make e2e sets this).
	if os.Getenv("SHOP_E2E") == "" {
		fmt.Fprintln(os.Stderr, "e2e: skipped; run `make e2e` (or set SHOP_E2E=1)")
		return 0
	}
	dir, err := os.MkdirTemp("", "shop-e2e-bin-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e:", err)
		return 1
	}
	defer os.RemoveAll(dir) //nolint:errcheck // temp dir
	root, err := harness.RepoRoot()
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e:", err)
		return 1
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	start := time.Now()
	bins, err = harness.Build(ctx, root, dir)
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e:", err)
		return 1
	}
	fmt.Fprintf(os.Stderr, "e2e: built binaries in %s\n", time.Since(start).Round(time.Millisecond))
	return m.Run()
}
