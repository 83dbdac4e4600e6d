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

// TestRouterService checks the router's command against its real flags, its
// environment against what its config reads, the supergraph it is given
// against the file its image carries, and that every subgraph routes to the
// compose service that serves it.
func TestRouterService(t *testing.T) {
	f := loadCompose(t)
	s := composeService(t, f, "router")
	flags, err := Flags(filepath.Join(root, RouterMain))
	if err != nil {
		t.Fatal(err)
	}
	args := append(slices.Clone(s.Entrypoint), s.Command...)
	for _, p := range CheckArgs(args, flags) {
		t.Errorf("router command: %s", p)
	}
	fl := RouterFlags(args)
	cfg, err := LoadRouterConfig(t.Setenv, s.Environment, fl)
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
	src, err := ImageFileSource(root, RouterDockerfile, cfg.Supergraph)
	if err != nil {
		t.Fatal(err)
	}
	readFile(t, src)
	cfg.Supergraph = filepath.Join(root, src)
	r, err := routerapp.New(cfg)
	if err != nil {
		t.Fatalf("router does not start with the compose configuration and %s: %v", src, err)
	}
	defer r.Close()

	// Every subgraph routes to the compose service of the same name, on the
	// port that service listens on, at /graphql.
	urls := r.SubgraphURLs()
	for _, sg := range Subgraphs() {
		raw, ok := urls[sg.Name]
		if !ok {
			t.Errorf("supergraph has no subgraph %q", sg.Name)
			continue
		}
		u, err := url.Parse(raw)
		if err != nil {
			t.Fatal(err)
		}
		c, _, err := sg.Load(config.FromMap(composeService(t, f, sg.Name).Environment))
		if err != nil {
			t.Fatal(err)
		}
		if u.Hostname() != sg.Name || u.Port() != port(t, c.ListenAddr) || u.Path != "/graphql" {
			t.Errorf("router sends %s to %s, want http://%s:%s/graphql", sg.Name, raw, sg.Name, port(t, c.ListenAddr))
		}
		if s.DependsOn[sg.Name] != "service_healthy" {
			t.Errorf("router must wait for %s to be healthy (depends_on)", sg.Name)
		}
	}
	for k := range s.Environment {
		name, ok := strings.CutPrefix(k, "ROUTER_SUBGRAPH_URL_")
		if ok && !slices.ContainsFunc(Subgraphs(), func(sg Subgraph) bool { return strings.EqualFold(sg.Name, name) }) {
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
			got, err := LoadRouterConfig(t.Setenv, mutated, fl)
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
