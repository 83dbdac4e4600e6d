// Command newsubgraph adds a subgraph to the shop: `make subgraph
// NAME=reviews` runs it from the repository root. It writes
// subgraphs/<name>/, registers it in go.work, supergraph.yaml, the
// Makefile and devstack, and runs go generate; then `make compose` and
// `make run` serve it. See docs/adding-a-subgraph.md.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"

	"github.com/shopsupergraph/shop/scaffold"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "newsubgraph:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("newsubgraph", flag.ContinueOnError)
	fs.SetOutput(stderr)
	root := fs.String("root", ".", "repository root (the folder holding go.work)")
	port := fs.Int("port", 0, "port of the new subgraph (default: the one after the highest in supergraph.yaml)")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: newsubgraph [--root DIR] [--port N] NAME")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return fmt.Errorf("want one subgraph name, got %d arguments", fs.NArg())
	}
	res, err := scaffold.Run(ctx, scaffold.Options{Root: *root, Name: fs.Arg(0), Port: *port, Log: stdout})
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, `
%s is ready: type %s, port %d.
Next:
  make compose   # add it to supergraph.graphql
  make run       # the shop with %s; try { products { _id %s { rating body } } }
  (cd %s && go test ./...)
`, res.Dir, res.Type, res.Port, fs.Arg(0), fs.Arg(0), res.Dir)
	return nil
}
