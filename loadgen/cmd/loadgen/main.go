// Command loadgen loads the shop through its router: it seeds users and
// products, runs closed-loop scenarios (browse the first products page,
// place orders, or a 90/10 mix), reports throughput, latency quantiles and
// errors by extensions.code, and audits stock after every scenario that
// orders: it waits (up to --settle) until orders and products report
// nothing left to settle, then requires exact books, and exits non-zero
// when an audit fails.
// Without --router it starts the whole shop in this process on free ports,
// so one CPU profile (--cpuprofile) covers router, subgraphs and stores.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/shopsupergraph/shop/buildinfo"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "loadgen:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cfg, err := parseFlags(args, stderr)
	if err != nil {
		return err
	}
	if cfg.Version {
		return buildinfo.Print(stdout, "loadgen")
	}
	rep, err := execute(ctx, cfg, stderr)
	if err != nil {
		return err
	}
	rep.write(stdout, cfg.Format)
	if failed := rep.failedAudits(); len(failed) > 0 {
		return fmt.Errorf("stock audit failed after %s", strings.Join(failed, ", "))
	}
	return nil
}
