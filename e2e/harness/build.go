// Package harness builds the shop's real binaries and runs them as separate
// processes on free ports, the way they run in production: the embedded
// infrastructure in processes of its own, each subgraph (possibly several
// replicas sharing one database) and one or more routers. Tests drive the
// system only through the routers' public endpoint, and can kill, stop and
// restart any process to inject faults.
package harness

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// Binaries are the executables built once per test run.
type Binaries struct {
	Infra, Users, Products, Orders, Webhooks, Router string
	// Supergraph is the composed supergraph the routers serve.
	Supergraph string
}

// RepoRoot returns the directory holding go.work, searching upwards from the
// working directory, so the suite finds the sources wherever it runs from.
func RepoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", fmt.Errorf("repo root: %w", err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.work")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("repo root: no go.work above the working directory")
		}
		dir = parent
	}
}

// Build compiles every binary into out with `go build`; the Go build cache
// makes repeated runs cheap. The supergraph is the committed one at the
// repository root: the suite tests what is shipped (`make check` proves it
// fresh).
func Build(ctx context.Context, root, out string) (*Binaries, error) {
	b := &Binaries{
		Infra:      filepath.Join(out, "infra"),
		Users:      filepath.Join(out, "users"),
		Products:   filepath.Join(out, "products"),
		Orders:     filepath.Join(out, "orders"),
		Webhooks:   filepath.Join(out, "webhooks"),
		Router:     filepath.Join(out, "router"),
		Supergraph: filepath.Join(root, "supergraph.graphql"),
	}
	targets := []struct{ module, pkg, bin string }{
		{"e2e", "./cmd/infra", b.Infra},
		{"subgraphs/users", "./cmd/users", b.Users},
		{"subgraphs/products", "./cmd/products", b.Products},
		{"subgraphs/orders", "./cmd/orders", b.Orders},
		{"subgraphs/webhooks", "./cmd/webhooks", b.Webhooks},
		{"router", "./cmd/router", b.Router},
	}
	for _, t := range targets {
		cmd := exec.CommandContext(ctx, "go", "build", "-o", t.bin, t.pkg)
		cmd.Dir = filepath.Join(root, t.module)
		outp, err := cmd.CombinedOutput()
		if err != nil {
			return nil, fmt.Errorf("build %s: %w\n%s", t.module, err, strings.TrimSpace(string(outp)))
		}
	}
	if _, err := os.Stat(b.Supergraph); err != nil {
		return nil, fmt.Errorf("build: supergraph: %w", err)
	}
	return b, nil
}
