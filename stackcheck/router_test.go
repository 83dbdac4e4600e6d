package stackcheck

import (
	"net/url"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/shopsupergraph/shop/platform/config"
	routerapp "github.com/shopsupergraph/shop/router/app"
)

// routerArgs returns the router's command line flags as a map.
func routerArgs(t *testing.T, args []string) map[string]string {
	t.Helper()
	out := map[string]string{}
	for i := 0; i < len(args); i++ {
		name, v, ok := strings.Cut(strings.TrimLeft(args[i], "-"), "=")
		if !ok && i+1 < len(args) {
			i++
			v = args[i]
		}
		out[name] = v
	}
	return out
}

// routerConfig loads the router's configuration as cmd/router does: the
// environment, then the --supergraph and --listen flags on top.
func routerConfig(t *testing.T, env map[string]string, flags map[string]string) (routerapp.Config, error) {
	t.Helper()
	for k, v := range env {
		t.Setenv(k, v)
	}
	cfg, err := routerapp.LoadConfig(flags["config"])
	if err != nil {
		return cfg, err
	}
	if v := flags["supergraph"]; v != "" {
		cfg.Supergraph = v
	}
	if v := flags["listen"]; v != "" {
		cfg.Listen = v
	}
	return cfg, cfg.Validate()
}

// TestRouterService checks the router's command against its real flags, its
// environment against what its config reads, the supergraph it is given
// against the file its image carries, and that every subgraph routes to the
// compose service that serves it.
func TestRouterService(t *testing.T) {
	f := loadCompose(t)
	s := composeService(t, f, "router")
	flags, err := Flags(filepath.Join(root, "router", "cmd", "router"))
	if err != nil {
		t.Fatal(err)
	}
	args := append(slices.Clone(s.Entrypoint), s.Command...)
	for _, p := range CheckArgs(args, flags) {
		t.Errorf("router command: %s", p)
	}
	fl := routerArgs(t, args)
	cfg, err := routerConfig(t, s.Environment, fl)
	if err != nil {
		t.Fatalf("router configuration from compose does not validate: %v", err)
	}
	listen := port(t, cfg.Listen)

	// The service publishes the router's port and checks its health there.
	published := false
	for _, p := range s.Ports {
		parts := strings.Split(p, ":")
		published = published || parts[len(parts)-1] == listen
	}
	if !published {
		t.Errorf("ports %v do not publish the router's listen port %s", s.Ports, listen)
	}
	if u := healthURL(t, "router", s); u.Port() != listen || (u.Path != "/health" && u.Path != "/ready") {
		t.Errorf("router healthcheck %s: want /health or /ready on port %s", u, listen)
	}

	// The supergraph path is the file the router's image copies in.
	src := imageFileSource(t, "router/Dockerfile", cfg.Supergraph)
	cfg.Supergraph = filepath.Join(root, src)
	r, err := routerapp.New(cfg)
	if err != nil {
		t.Fatalf("router does not start with the compose configuration and %s: %v", src, err)
	}
	defer r.Close()

	// Every subgraph routes to the compose service of the same name, on the
	// port that service listens on, at /graphql.
	urls := r.SubgraphURLs()
	for _, sg := range subgraphs {
		raw, ok := urls[sg.name]
		if !ok {
			t.Errorf("supergraph has no subgraph %q", sg.name)
			continue
		}
		u, err := url.Parse(raw)
		if err != nil {
			t.Fatal(err)
		}
		c, _, err := sg.load(config.FromMap(composeService(t, f, sg.name).Environment))
		if err != nil {
			t.Fatal(err)
		}
		if u.Hostname() != sg.name || u.Port() != port(t, c.ListenAddr) || u.Path != "/graphql" {
			t.Errorf("router sends %s to %s, want http://%s:%s/graphql", sg.name, raw, sg.name, port(t, c.ListenAddr))
		}
		if s.DependsOn[sg.name] != "service_healthy" {
			t.Errorf("router must wait for %s to be healthy (depends_on)", sg.name)
		}
	}
	for k := range s.Environment {
		name, ok := strings.CutPrefix(k, "ROUTER_SUBGRAPH_URL_")
		if ok && !slices.ContainsFunc(subgraphs, func(sg subgraph) bool { return strings.EqualFold(sg.name, name) }) {
			t.Errorf("%s names no subgraph of the supergraph", k)
		}
	}

	// Every ROUTER_* variable compose sets changes the configuration.
	for k := range s.Environment {
		t.Run(k, func(t *testing.T) {
			mutated := map[string]string{}
			for kk, vv := range s.Environment {
				mutated[kk] = vv
			}
			mutated[k] = "stackcheck-garbage"
			got, err := routerConfig(t, mutated, fl)
			if err == nil && reflect.DeepEqual(got, cfgWith(cfg, fl)) {
				t.Errorf("compose sets %s for the router, but its configuration does not read it", k)
			}
		})
	}
}

// cfgWith restores the flag values New was not given, for comparison.
func cfgWith(cfg routerapp.Config, fl map[string]string) routerapp.Config {
	cfg.Supergraph = fl["supergraph"]
	return cfg
}

// imageFileSource returns the repository file a Dockerfile's final stage
// copies to dest.
func imageFileSource(t *testing.T, dockerfile, dest string) string {
	t.Helper()
	stages, err := ParseDockerfile(filepath.Join(root, dockerfile))
	if err != nil {
		t.Fatal(err)
	}
	final := stages[len(stages)-1]
	for _, args := range final.Find("COPY") {
		f := strings.Fields(args)
		if len(f) == 2 && f[1] == dest {
			readFile(t, f[0])
			return f[0]
		}
	}
	t.Fatalf("%s copies nothing to %s", dockerfile, dest)
	return ""
}
