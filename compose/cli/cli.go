// Package cli implements the compose command line: `compose supergraph`
// writes the composed supergraph, `compose check` fails when the committed
// supergraph is stale or a change breaks existing clients.
package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"time"

	"github.com/shopsupergraph/shop/buildinfo"
	"github.com/shopsupergraph/shop/compose"
	"github.com/shopsupergraph/shop/compose/check"
	"github.com/shopsupergraph/shop/compose/config"
	"github.com/shopsupergraph/shop/compose/diag"
)

const usage = `usage:
  compose supergraph --config supergraph.yaml [-o supergraph.graphql] [--hints-as-errors]
  compose check --config supergraph.yaml --supergraph supergraph.graphql [--base main-supergraph.graphql] [--hints-as-errors]
  compose --version
`

// ErrCheckFailed is returned when `compose check` found problems it already
// printed.
var ErrCheckFailed = errors.New("check failed")

// Run executes one command. Output goes to stdout, diagnostics to stderr.
func Run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return errors.New("missing command")
	}
	switch args[0] {
	case "supergraph":
		return runSupergraph(ctx, args[1:], stdout, stderr)
	case "check":
		return runCheck(ctx, args[1:], stdout, stderr)
	case "--version", "-version", "version":
		return buildinfo.Print(stdout, "compose")
	case "-h", "--help", "help":
		fmt.Fprint(stdout, usage)
		return nil
	default:
		fmt.Fprint(stderr, usage)
		return fmt.Errorf("unknown command %q", args[0])
	}
}

func newFlags(name string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("compose "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	return fs
}

// composeFromConfig loads the config and subgraphs and composes them,
// printing every composition error and every hint (`HINT CODE: message`);
// with hintsAsErrors any hint fails the command.
func composeFromConfig(ctx context.Context, path string, hintsAsErrors bool, stderr io.Writer) (string, error) {
	cfg, err := config.Load(path)
	if err != nil {
		return "", err
	}
	client := &http.Client{Timeout: 30 * time.Second}
	sources, err := cfg.Sources(ctx, client)
	if err != nil {
		return "", err
	}
	sdl, hints, err := compose.ComposeWithHints(sources)
	if err != nil {
		var list diag.List
		if errors.As(err, &list) {
			fmt.Fprintf(stderr, "composition failed with %d error(s):\n", len(list))
			for _, e := range list {
				fmt.Fprintf(stderr, "  %s\n", e.Error())
			}
			return "", fmt.Errorf("compose: %d composition error(s)", len(list))
		}
		return "", fmt.Errorf("compose: %w", err)
	}
	for _, h := range hints {
		fmt.Fprintf(stderr, "HINT %s\n", h.Error())
	}
	if hintsAsErrors && len(hints) > 0 {
		return "", fmt.Errorf("compose: %d hint(s) and --hints-as-errors", len(hints))
	}
	return sdl, nil
}

func runSupergraph(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("supergraph", stderr)
	cfgPath := fs.String("config", "supergraph.yaml", "composition config (rover format)")
	outPath := fs.String("o", "", "write the supergraph to this file instead of stdout")
	strict := fs.Bool("hints-as-errors", false, "fail when composition gives any hint")
	if err := fs.Parse(args); err != nil {
		return err
	}
	sdl, err := composeFromConfig(ctx, *cfgPath, *strict, stderr)
	if err != nil {
		return err
	}
	if *outPath == "" {
		_, err := io.WriteString(stdout, sdl)
		return err
	}
	if err := os.WriteFile(*outPath, []byte(sdl), 0o644); err != nil {
		return fmt.Errorf("write supergraph: %w", err)
	}
	fmt.Fprintf(stderr, "wrote %s\n", *outPath)
	return nil
}

func runCheck(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("check", stderr)
	cfgPath := fs.String("config", "supergraph.yaml", "composition config (rover format)")
	sgPath := fs.String("supergraph", "supergraph.graphql", "the committed supergraph to check")
	basePath := fs.String("base", "", "supergraph clients rely on today, for breaking changes (default: --supergraph); CI can pass the main branch's copy")
	strict := fs.Bool("hints-as-errors", false, "fail when composition gives any hint")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *basePath == "" {
		*basePath = *sgPath
	}
	fresh, err := composeFromConfig(ctx, *cfgPath, *strict, stderr)
	if err != nil {
		return err
	}
	committed, err := os.ReadFile(*sgPath)
	if err != nil {
		return fmt.Errorf("check: %w", err)
	}
	base, err := os.ReadFile(*basePath)
	if err != nil {
		return fmt.Errorf("check: %w", err)
	}
	breaks, err := check.Breaking(string(base), fresh)
	if err != nil {
		return fmt.Errorf("check: %w", err)
	}
	failed := false
	if len(breaks) > 0 {
		failed = true
		fmt.Fprintf(stderr, "%d breaking change(s) against %s:\n", len(breaks), *basePath)
		for _, b := range breaks {
			fmt.Fprintf(stderr, "  BREAKING %s\n", b)
		}
	}
	if string(committed) != fresh {
		failed = true
		fmt.Fprintf(stderr, "%s is stale: it differs from a fresh composition of %s; run `make compose` and commit the result\n", *sgPath, *cfgPath)
	}
	if failed {
		return ErrCheckFailed
	}
	fmt.Fprintf(stdout, "%s is up to date and compatible\n", *sgPath)
	return nil
}
