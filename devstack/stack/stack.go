// Package stack runs the whole shop in one process: the embedded
// infrastructure (FerretDB, a Kafka-protocol broker, Redis), the subgraphs
// listed in Subgraphs and the router, each on its own TCP port and talking to the
// others over the network exactly as separate deployments do.
package stack

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/shopsupergraph/shop/platform/config"
	"github.com/shopsupergraph/shop/platform/embedded"
	"github.com/shopsupergraph/shop/platform/httpx"
	routerapp "github.com/shopsupergraph/shop/router/app"
)

// routerAddrs are the addresses the stack's router calls the subgraphs
// from (loopback), which users trusts to name the client unless Env sets
// TRUSTED_PROXIES.
const routerAddrs = "127.0.0.1,::1"

// Options configure the stack. Addresses with port 0 pick free ports.
type Options struct {
	DataDir    string
	RouterAddr string
	// Addrs are the subgraphs' listen addresses by name (see Subgraphs);
	// a subgraph without one listens on a free loopback port.
	Addrs map[string]string
	// UsersAddr, ProductsAddr and OrdersAddr set Addrs for the shop's
	// first three subgraphs (Addrs wins).
	UsersAddr    string
	ProductsAddr string
	OrdersAddr   string
	// Supergraph is the path of the composed supergraph the router serves.
	Supergraph string
	// RouterConfig is the path of a router.yaml for the stack's router
	// ("" for none). It and the ROUTER_* variables of Env are read as
	// cmd/router reads them; the stack then sets the listener, the
	// supergraph, the subgraph URLs and its token key set (routerConfig).
	RouterConfig string
	// Env supplies every other variable (API_SECRET, TOKEN_TTL, ...); the
	// stack sets the infrastructure addresses itself.
	Env map[string]string
	// NoProductsCache runs the products subgraph without its Redis cache
	// (REDIS_ADDR empty for it alone), so load runs can show what the
	// cache buys.
	NoProductsCache bool
	// ProductsReplicas is how many products processes share the products
	// database (at least 1). With more than one, the router talks to the
	// first and orders reserves stock through a round-robin over all of
	// them, so replicas really contend for the same products.
	ProductsReplicas int
	Log              *slog.Logger
}

// Stack is a running shop.
type Stack struct {
	// URLs of the running parts, set once Start returns.
	RouterURL, UsersURL, ProductsURL, OrdersURL string
	// URLs are every subgraph's GraphQL endpoint by name.
	URLs map[string]string
	// APISecret and AdminKey in use.
	APISecret, AdminKey string
	// DataDir is the data folder (Options.DataDir).
	DataDir string
	Infra   *embedded.Stack

	group  *errgroup.Group
	cancel context.CancelFunc
}

// Start brings everything up and returns once every part accepts requests.
// Cancel ctx or call Stop to shut down.
func Start(ctx context.Context, o Options) (*Stack, error) {
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	env := map[string]string{}
	for k, v := range o.Env {
		env[k] = v
	}
	if env["API_SECRET"] == "" {
		return nil, errors.New("stack: API_SECRET is required")
	}
	// The data folder holds customers' data and the dev secret: the
	// owner's alone (the stand-ins keep their own subfolder private).
	if err := embedded.PrivateDir(o.DataDir); err != nil {
		return nil, fmt.Errorf("stack: %w", err)
	}
	infra, err := embedded.Start(ctx, embedded.Options{Dir: filepath.Join(o.DataDir, "infra"), Logger: o.Log.With("part", "infra")})
	if err != nil {
		return nil, fmt.Errorf("stack: %w", err)
	}
	env["MONGO_URI"] = infra.MongoURI
	env["KAFKA_BROKERS"] = strings.Join(infra.KafkaBrokers, ",")
	env["REDIS_ADDR"] = infra.RedisAddr

	subgraphs := Subgraphs()
	addrs := map[string]string{"router": o.RouterAddr}
	for _, sg := range subgraphs {
		addrs[sg.Name] = "127.0.0.1:0"
	}
	for name, addr := range map[string]string{"users": o.UsersAddr, "products": o.ProductsAddr, "orders": o.OrdersAddr} {
		if addr != "" {
			addrs[name] = addr
		}
	}
	for name, addr := range o.Addrs {
		if _, known := addrs[name]; !known || name == "router" {
			infra.Close()
			return nil, fmt.Errorf("stack: an address for %q, which is not a subgraph of the stack", name)
		}
		addrs[name] = addr
	}
	lns := map[string]net.Listener{}
	for name, addr := range addrs {
		ln, err := httpx.Listen(addr)
		if err != nil {
			closeAll(lns)
			infra.Close()
			return nil, fmt.Errorf("stack: %s: %w", name, err)
		}
		lns[name] = ln
	}
	// A wildcard listener (":8080") is reached through loopback; "[::]" in
	// a printed URL would only confuse.
	url := func(name string) string {
		a := lns[name].Addr().(*net.TCPAddr)
		host := a.IP.String()
		if a.IP.IsUnspecified() {
			host = "localhost"
		}
		return "http://" + net.JoinHostPort(host, strconv.Itoa(a.Port))
	}
	for _, sg := range subgraphs {
		if sg.InternalURLEnv != "" {
			env[sg.InternalURLEnv] = url(sg.Name)
		}
	}
	// The stack's router reaches users over loopback and names the client
	// in X-Forwarded-For, which users believes only from the proxies it is
	// told to trust: the router's address, here loopback.
	if _, set := env["TRUSTED_PROXIES"]; !set {
		env["TRUSTED_PROXIES"] = routerAddrs
	}

	s := &Stack{
		RouterURL: url("router") + "/graphql", URLs: map[string]string{},
		APISecret: env["API_SECRET"], Infra: infra, DataDir: o.DataDir,
	}
	for _, sg := range subgraphs {
		s.URLs[sg.Name] = url(sg.Name) + "/graphql"
	}
	s.UsersURL, s.ProductsURL, s.OrdersURL = s.URLs["users"], s.URLs["products"], s.URLs["orders"]
	s.AdminKey = env["ADMIN_API_KEY"]
	if s.AdminKey == "" {
		s.AdminKey = s.APISecret
	}
	runCtx, cancel := context.WithCancel(ctx)
	s.cancel = cancel
	g, gctx := errgroup.WithContext(runCtx)
	s.group = g

	fail := func(err error) (*Stack, error) {
		cancel()
		_ = g.Wait() //nolint:errcheck // already failing with err
		closeAll(lns)
		infra.Close()
		return nil, err
	}

	svcEnv := func(name string) *config.Env {
		m := map[string]string{}
		for k, v := range env {
			m[k] = v
		}
		m["LISTEN_ADDR"] = lns[name].Addr().String()
		if name == "products" && o.NoProductsCache {
			m["REDIS_ADDR"] = ""
		}
		return config.FromMap(m)
	}
	var forward []string
	for _, sg := range subgraphs {
		if sg.ClientAddress {
			forward = append(forward, sg.Name)
		}
		replicas := 1
		if sg.Name == "products" {
			replicas = max(1, o.ProductsReplicas)
		}
		senv := func() *config.Env { return svcEnv(sg.Name) }
		if err := startSubgraph(ctx, gctx, g, sg, replicas, lns[sg.Name], senv, env, o.Log); err != nil {
			return fail(err)
		}
	}
	for _, sg := range subgraphs {
		if err := waitReady(ctx, url(sg.Name)+"/ready", 60*time.Second); err != nil {
			return fail(err)
		}
	}
	rc, err := routerConfig(o.RouterConfig, env, lns["router"].Addr().String(), o.Supergraph, forward)
	if err != nil {
		return fail(fmt.Errorf("stack: %w", err))
	}
	jwks, err := routerJWKS(o.DataDir, env, url("users"))
	if err != nil {
		return fail(fmt.Errorf("stack: %w", err))
	}
	// The stack's key set joins any the user configured, so the tokens
	// its users subgraph issues always verify.
	rc.Authentication.Router.JWT.JWKS = append(rc.Authentication.Router.JWT.JWKS, jwks)
	rc.Authentication.Router.APIKeys = withAdminKey(rc.Authentication.Router.APIKeys, s.AdminKey)
	r, err := routerapp.New(rc, routerapp.WithLogger(o.Log.With("service", "router")), routerapp.WithSubgraphURLs(s.URLs))
	if err != nil {
		return fail(fmt.Errorf("stack: router: %w", err))
	}
	g.Go(func() error { return r.Serve(gctx, lns["router"]) })
	if err := waitReady(ctx, url("router")+"/health", 30*time.Second); err != nil {
		return fail(err)
	}
	return s, nil
}

// startSubgraph builds sg from its environment and serves it on ln. With
// more than one replica, the others share its database on free ports, and
// the callers of its internal API (sg.InternalURLEnv in env, read by the
// subgraphs started after it) go through a round-robin over all of them,
// so replicas really contend; the router talks to the first.
func startSubgraph(ctx, gctx context.Context, g *errgroup.Group, sg Subgraph, replicas int, ln net.Listener, senv func() *config.Env, env map[string]string, log *slog.Logger) error {
	srv, err := sg.New(ctx, senv(), log.With("service", sg.Name))
	if err != nil {
		return fmt.Errorf("stack: %s: %w", sg.Name, err)
	}
	g.Go(func() error { return srv.Serve(gctx, ln) })
	if replicas <= 1 {
		return nil
	}
	replicaURLs := []string{"http://" + ln.Addr().String()}
	for i := 1; i < replicas; i++ {
		rln, err := httpx.Listen("127.0.0.1:0")
		if err != nil {
			return fmt.Errorf("stack: %s replica %d: %w", sg.Name, i, err)
		}
		replica, err := sg.New(ctx, senv(), log.With("service", sg.Name, "replica", i))
		if err != nil {
			_ = rln.Close() //nolint:errcheck // already failing
			return fmt.Errorf("stack: %s replica %d: %w", sg.Name, i, err)
		}
		g.Go(func() error { return replica.Serve(gctx, rln) })
		replicaURLs = append(replicaURLs, "http://"+rln.Addr().String())
	}
	bln, err := httpx.Listen("127.0.0.1:0")
	if err != nil {
		return fmt.Errorf("stack: %s balancer: %w", sg.Name, err)
	}
	g.Go(func() error { return serveRoundRobin(gctx, bln, replicaURLs, log) })
	if sg.InternalURLEnv != "" {
		env[sg.InternalURLEnv] = "http://" + bln.Addr().String()
	}
	for _, u := range replicaURLs[1:] {
		if err := waitReady(ctx, u+"/ready", 60*time.Second); err != nil {
			return err
		}
	}
	return nil
}

// Wait blocks until the stack stops and returns the first error of any part.
func (s *Stack) Wait() error {
	err := s.group.Wait()
	s.Infra.Close()
	return err
}

// Stop shuts everything down and waits for it.
func (s *Stack) Stop() error {
	s.cancel()
	return s.Wait()
}

func waitReady(ctx context.Context, url string, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	var last error
	for time.Now().Before(deadline) {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		if err != nil {
			return fmt.Errorf("wait for %s: %w", url, err)
		}
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			resp.Body.Close() //nolint:errcheck,gosec // status is all we need
			if resp.StatusCode == http.StatusOK {
				return nil
			}
			last = fmt.Errorf("status %d", resp.StatusCode)
		} else {
			last = err
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		time.Sleep(100 * time.Millisecond)
	}
	return fmt.Errorf("wait for %s: %w", url, last)
}

func closeAll(lns map[string]net.Listener) {
	for _, ln := range lns {
		_ = ln.Close() //nolint:errcheck // shutting down
	}
}

// EnvFromOS returns the process environment plus the .env file at path
// (the environment wins), as a map.
func EnvFromOS(dotenv string) (map[string]string, error) {
	m, err := config.ReadDotEnv(dotenv)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, err
	}
	for _, kv := range os.Environ() {
		if k, v, ok := strings.Cut(kv, "="); ok {
			m[k] = v
		}
	}
	return m, nil
}
