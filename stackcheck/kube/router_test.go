package kube

import (
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	routerapp "github.com/shopsupergraph/shop/router/app"
	"github.com/shopsupergraph/shop/stackcheck"
)

// checkRouter holds the router's Deployment against its binary: flags,
// the files it reads, its variables, the subgraphs it calls, its probes.
func checkRouter(t *testing.T, o *Objects, secret Secret, flows *Flows, listen map[string]int32) []string {
	t.Helper()
	var p problems
	d, c := single(&p, o, "router")
	if d == nil {
		return p
	}
	const where = "deployment router"
	flagDefs, err := stackcheck.Flags(filepath.Join(root, stackcheck.RouterMain))
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range stackcheck.CheckArgs(c.Args, flagDefs) {
		p.addf("%s: args: %s", where, s)
	}
	imageEnv, err := stackcheck.ImageEnv(root, stackcheck.RouterDockerfile)
	if err != nil {
		t.Fatal(err)
	}
	env, _ := o.ContainerEnv(c, imageEnv, secret)
	for k := range env {
		if !strings.HasPrefix(k, "ROUTER_") {
			p.addf("%s sets %s; the router reads only ROUTER_* variables", where, k)
		}
	}
	files, _ := o.MountedFiles(&d.Spec.Template.Spec, c)
	tmp := t.TempDir()
	// local maps a path in the container to a file here: a mounted
	// ConfigMap key, or a file the image carries.
	local := func(path string) (string, bool) {
		if text, ok := files[path]; ok {
			f := filepath.Join(tmp, strings.ReplaceAll(strings.TrimPrefix(path, "/"), "/", "_"))
			if err := os.WriteFile(f, []byte(text), 0o600); err != nil {
				t.Fatal(err)
			}
			return f, true
		}
		if src, err := stackcheck.ImageFileSource(root, stackcheck.RouterDockerfile, path); err == nil {
			return filepath.Join(root, src), true
		}
		return "", false
	}
	flags := stackcheck.RouterFlags(c.Args)
	if path := flags["config"]; path != "" {
		f, ok := local(path)
		if !ok {
			p.addf("%s: --config %s: the container has no such file", where, path)
			return p
		}
		flags["config"] = f
	}
	cfg, err := stackcheck.LoadRouterConfig(t.Setenv, env, flags)
	if err != nil {
		p.addf("%s: the configuration does not validate: %v", where, err)
		return p
	}
	p = append(p, routerEnvIsRead(t, env, flags, cfg)...)
	port := listenPort(&p, where, cfg.Listen)
	listen["router"] = port
	checkProbes(&p, where, c, port)
	checkShutdown(&p, where, d, c, cfg.Timeouts.Shutdown)
	if cfg.AccessLog.Enabled && cfg.AccessLog.Path != "" && !WritablePath(&d.Spec.Template.Spec, c, cfg.AccessLog.Path) {
		p.addf("%s: access_log.path %s is on the read-only root file system (mount an emptyDir there)", where, cfg.AccessLog.Path)
	}

	supergraph, ok := local(cfg.Supergraph)
	if !ok {
		p.addf("%s: supergraph %s: the container has no such file", where, cfg.Supergraph)
		return p
	}
	if got, want := readText(t, supergraph), readText(t, filepath.Join(root, "supergraph.graphql")); got != want {
		p.addf("%s: its supergraph %s differs from the repository's supergraph.graphql: cp supergraph.graphql deploy/kubernetes/base/router/", where, cfg.Supergraph)
	}
	cfg.Supergraph = supergraph
	r, err := routerapp.New(cfg)
	if err != nil {
		p.addf("%s: the router does not start: %v", where, err)
		return p
	}
	defer r.Close()
	urls := r.SubgraphURLs()
	for _, sg := range stackcheck.Subgraphs() {
		raw, ok := urls[sg.Name]
		if !ok {
			p.addf("the supergraph has no subgraph %s", sg.Name)
			continue
		}
		u, err := url.Parse(raw)
		if err != nil {
			p.addf("%s: subgraph %s URL %q: %v", where, sg.Name, raw, err)
			continue
		}
		hp := addresses(raw)
		target, cp, found, err := o.ServiceTarget(u.Hostname(), hp[0].port)
		switch {
		case err != nil:
			p.addf("%s: subgraph %s at %s: %v", where, sg.Name, raw, err)
		case !found:
			p.addf("%s sends subgraph %s to %s, which is no Service of the namespace", where, sg.Name, raw)
		case target.Name != sg.Name || cp != listen[sg.Name] || u.Path != "/graphql":
			p.addf("%s sends subgraph %s to %s, which reaches %s:%d%s, not %s's /graphql on %d", where, sg.Name, raw, target.Name, cp, u.Path, sg.Name, listen[sg.Name])
		default:
			flows.Calls = append(flows.Calls, Call{From: "router", To: target.Name, Port: cp})
		}
	}
	for _, path := range probePaths(c) {
		if code := get(r.Handler(), path); code != http.StatusOK {
			p.addf("%s: GET %s on the router answers %d, want 200", where, path, code)
		}
	}
	return p
}

// routerEnvIsRead proves every variable the router gets is read: setting
// it to garbage must change the configuration or make it invalid. It
// leaves the process environment as env has it.
func routerEnvIsRead(t *testing.T, env, flags map[string]string, want routerapp.Config) []string {
	t.Helper()
	var p problems
	for k := range env {
		mutated := map[string]string{}
		for kk, vv := range env {
			mutated[kk] = vv
		}
		mutated[k] = "stackcheck-garbage"
		got, err := stackcheck.LoadRouterConfig(t.Setenv, mutated, flags)
		if err == nil && reflect.DeepEqual(got, want) {
			p.addf("deployment router sets %s, which the router's configuration does not read", k)
		}
		t.Setenv(k, env[k])
	}
	return p
}
