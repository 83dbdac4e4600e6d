// Command fedserve starts the subgraphs of one fedtest case and prints, on its
// first output line, a JSON object {"urls": {subgraph: URL}, "fetches": the
// case's fetch bounds}. Each server also answers GET /requests and POST /reset
// next to /graphql. It serves
// until interrupted. It is a dev tool for recording goldens with Apollo
// Gateway (testdata/federation/oracle.mjs) and for poking at a case by hand.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"log"
	"net"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/shopsupergraph/shop/router/internal/fedtest"
)

func main() {
	if err := run(context.Background(), os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "fedserve:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("fedserve", flag.ContinueOnError)
	caseName := fs.String("case", "", "case name (directory under testdata/federation)")
	ports := fs.String("ports", "", "optional fixed ports, e.g. a=4101,b=4102 (others get free ports)")
	list := fs.Bool("list", false, "print the case names and exit")
	verbose := fs.Bool("v", false, "log every subgraph request and response to stderr")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *list {
		for _, c := range fedtest.Cases() {
			fmt.Println(c.Name)
		}
		return nil
	}
	c, ok := fedtest.CaseByName(*caseName)
	if !ok {
		return fmt.Errorf("unknown case %q", *caseName)
	}
	listeners := map[string]net.Listener{}
	if *ports != "" {
		for _, pair := range strings.Split(*ports, ",") {
			name, port, found := strings.Cut(pair, "=")
			if !found {
				return fmt.Errorf("bad -ports entry %q", pair)
			}
			ln, err := net.Listen("tcp", "127.0.0.1:"+port)
			if err != nil {
				return fmt.Errorf("listen %s: %w", name, err)
			}
			listeners[name] = ln
		}
	}
	d, err := fedtest.Launch(c, listeners)
	if err != nil {
		return fmt.Errorf("launch: %w", err)
	}
	if *verbose {
		logger := log.New(os.Stderr, "", 0)
		for _, sg := range d.Subgraphs {
			sg.SetLogger(logger.Printf)
		}
	}
	out, err := json.Marshal(map[string]any{"urls": d.URLs, "fetches": c.Fetches})
	if err != nil {
		return errors.Join(err, d.Close())
	}
	fmt.Println(string(out))
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	<-ctx.Done()
	return d.Close()
}
