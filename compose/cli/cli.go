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
  compose supergraph --config supergraph.yaml [-o|--output supergraph.graphql] [--hints-as-errors]
  compose check --config supergraph.yaml --supergraph supergraph.graphql [--base main-supergraph.graphql]
                [--operations DIR|manifest.json] [--format text|json|github] [--hints-as-errors]
  compose --version

exit status: 0 success; 1 composition errors, or check found a problem
(stale supergraph, breaking change, broken operation); 2 bad invocation
(unknown flag, unreadable file)
`

// ErrCheckFailed is returned when `compose check` found problems it already
// printed (exit status 1).
var ErrCheckFailed = errors.New("check failed")

// ErrUsage marks errors of the invocation itself: bad flags, unreadable
// inputs (exit status 2), as opposed to problems found in the schemas.
var ErrUsage = errors.New("usage")

func usageError(err error) error { return fmt.Errorf("%w: %w", ErrUsage, err) }

// Run executes one command. Output goes to stdout, diagnostics to stderr.
func Run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return usageError(errors.New("missing command"))
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
		return usageError(fmt.Errorf("unknown command %q", args[0]))
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
	fs.StringVar(outPath, "output", "", "the same as -o")
	strict := fs.Bool("hints-as-errors", false, "fail when composition gives any hint")
	if err := fs.Parse(args); err != nil {
		return usageError(err)
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
	opsPath := fs.String("operations", "", "client operations to check the change against: a directory of .graphql files or a persisted-query manifest (.json); breaking changes no listed operation uses are reported as safe")
	format := fs.String("format", "text", "report format: text, json or github (GitHub Actions annotations)")
	strict := fs.Bool("hints-as-errors", false, "fail when composition gives any hint")
	if err := fs.Parse(args); err != nil {
		return usageError(err)
	}
	if *format != "text" && *format != "json" && *format != "github" {
		return usageError(fmt.Errorf("--format %q: want text, json or github", *format))
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
		return usageError(fmt.Errorf("check: %w", err))
	}
	base, err := os.ReadFile(*basePath)
	if err != nil {
		return usageError(fmt.Errorf("check: %w", err))
	}
	rep := report{Supergraph: *sgPath, Base: *basePath, Stale: string(committed) != fresh}
	if rep.Breaking, err = check.Breaking(string(base), fresh); err != nil {
		return fmt.Errorf("check: %w", err)
	}
	if rep.Dangerous, err = check.Dangerous(string(base), fresh); err != nil {
		return fmt.Errorf("check: %w", err)
	}
	if *opsPath != "" {
		ops, err := check.LoadOperations(*opsPath)
		if err != nil {
			return usageError(err)
		}
		check.SortedOperations(ops)
		or, err := check.CheckOperations(string(base), fresh, rep.Breaking, rep.Dangerous, ops)
		if err != nil {
			return fmt.Errorf("check: %w", err)
		}
		rep.Operations = &or
		rep.OperationCount = len(ops)
	}
	switch *format {
	case "json":
		err = rep.writeJSON(stdout)
	case "github":
		err = rep.writeGitHub(stdout)
	default:
		err = rep.writeText(stdout, stderr)
	}
	if err != nil {
		return err
	}
	if rep.failed() {
		return ErrCheckFailed
	}
	return nil
}
