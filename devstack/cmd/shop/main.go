// Command shop runs the whole shop supergraph in one process on embedded
// infrastructure: `make run`. Nothing but Go is needed.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/shopsupergraph/shop/buildinfo"
	"github.com/shopsupergraph/shop/devstack/stack"
	"github.com/shopsupergraph/shop/platform/logging"
)

func main() {
	if err := run(os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "shop:", err)
		os.Exit(1)
	}
}

func run(args []string, stdout, stderr io.Writer) error {
	env, err := stack.EnvFromOS(".env")
	if err != nil {
		return err
	}
	get := func(k, def string) string {
		if v := env[k]; v != "" {
			return v
		}
		return def
	}
	fs := flag.NewFlagSet("shop", flag.ContinueOnError)
	fs.SetOutput(stderr)
	data := fs.String("data", get("SHOP_DATA_DIR", ".data"), "data folder (FerretDB SQLite files, Kafka log, dev secret)")
	routerAddr := fs.String("router-addr", get("ROUTER_ADDR", ":8080"), "router listen address")
	// One flag per subgraph: --users-addr (USERS_ADDR, default :4001), ...
	addrs := map[string]*string{}
	for _, sg := range stack.Subgraphs() {
		addrs[sg.Name] = fs.String(sg.Name+"-addr", get(strings.ToUpper(sg.Name)+"_ADDR", sg.Addr), sg.Name+" subgraph listen address")
	}
	supergraph := fs.String("supergraph", get("SUPERGRAPH", "supergraph.graphql"), "composed supergraph served by the router")
	routerConfig := fs.String("router-config", get("ROUTER_CONFIG", ""), "router.yaml for the router (the stack still sets its listener, supergraph, subgraph URLs and token keys)")
	version := fs.Bool("version", false, "print the version, commit and Go version, then exit")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *version {
		return buildinfo.Print(stdout, "shop")
	}
	log := logging.New(stderr, get("LOG_LEVEL", "warn"), get("LOG_FORMAT", "text"))

	generated := false
	if env["API_SECRET"] == "" {
		s, created, err := stack.LoadOrCreateSecret(*data)
		if err != nil {
			return err
		}
		env["API_SECRET"], generated = s, created
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	sgPath, err := filepath.Abs(*supergraph)
	if err != nil {
		return fmt.Errorf("supergraph path: %w", err)
	}
	o := stack.Options{DataDir: *data, RouterAddr: *routerAddr, Addrs: map[string]string{}, Supergraph: sgPath, RouterConfig: *routerConfig, Env: env, Log: log}
	for name, addr := range addrs {
		o.Addrs[name] = *addr
	}
	st, err := stack.Start(ctx, o)
	if err != nil {
		return err
	}
	printBanner(stdout, st, generated, *data)
	<-ctx.Done()
	fmt.Fprintln(stdout, "shutting down...")
	return st.Stop()
}

func printBanner(w io.Writer, st *stack.Stack, generated bool, data string) {
	secretNote := "from API_SECRET"
	if generated {
		secretNote = "generated and saved in " + filepath.Join(data, "api-secret")
	} else if os.Getenv("API_SECRET") == "" {
		secretNote = "from .env or " + filepath.Join(data, "api-secret")
	}
	fmt.Fprintf(w, `
Shop supergraph is up.

  router (federated endpoint)  %s   playground: %s
%s  embedded MongoDB (FerretDB)  %s
  embedded Kafka               %v
  embedded Redis               %s

  admin key (x-api-key)        %s   (%s)

Try:
  curl -s %s -H 'content-type: application/json' \
    -d '{"query":"{ products { _id name price quantity } }"}'

Ctrl-C stops everything.
`, st.RouterURL, trimGraphQL(st.RouterURL), subgraphLines(st),
		st.Infra.MongoURI, st.Infra.KafkaBrokers, st.Infra.RedisAddr, st.AdminKey, secretNote, st.RouterURL)
}

// subgraphLines lists the subgraphs' URLs for the banner, in start order.
func subgraphLines(st *stack.Stack) string {
	var b strings.Builder
	for _, sg := range stack.Subgraphs() {
		fmt.Fprintf(&b, "  %-28s %s\n", sg.Name+" subgraph", st.URLs[sg.Name])
	}
	return b.String()
}

func trimGraphQL(u string) string {
	const suffix = "/graphql"
	if len(u) > len(suffix) && u[len(u)-len(suffix):] == suffix {
		return u[:len(u)-len(suffix)] + "/"
	}
	return u
}
