package scaffold

import (
	"fmt"
	"os"
	"regexp"
	"sort"
	"strings"
)

// edit is a file's new content.
type edit struct {
	path    string
	content []byte
	mode    os.FileMode
}

// registration is one file the subgraph is registered in. Optional files
// are skipped when the repository has none (the Kubernetes manifests, the
// stack check); an optional file present is registered in like any other.
type registration struct {
	path     string
	fn       func(string, data) (string, error)
	optional bool
}

// registrations are every place the repository lists its subgraphs.
var registrations = []registration{
	{path: "go.work", fn: registerGoWork},
	{path: "supergraph.yaml", fn: registerSupergraph},
	{path: "Makefile", fn: registerMakefile},
	{path: "devstack/stack/subgraphs.go", fn: registerDevstack},
	{path: "docker-compose.yml", fn: registerCompose, optional: true},
	{path: "stackcheck/binaries.go", fn: registerStackcheck, optional: true},
	{path: "stackcheck/go.mod", fn: registerStackcheckMod, optional: true},
	{path: kubeBase + "/kustomization.yaml", fn: registerKustomization, optional: true},
	{path: kubeBase + "/network-policies.yaml", fn: registerNetworkPolicies, optional: true},
	{path: kubeBase + "/router/router.yaml", fn: registerRouterYAML, optional: true},
	{path: "deploy/kubernetes/overlays/dev/kustomization.yaml", fn: registerOverlayImages, optional: true},
	{path: "deploy/kubernetes/overlays/dev/scaling.yaml", fn: likeOrders, optional: true},
	{path: "deploy/kubernetes/overlays/production/kustomization.yaml", fn: registerOverlayImages, optional: true},
	{path: "deploy/kubernetes/overlays/production/scaling.yaml", fn: likeOrders, optional: true},
	{path: "deploy/kubernetes/overlays/production/resources.yaml", fn: likeOrders, optional: true},
	{path: "deploy/kubernetes/secrets.example.env", fn: registerSecretExample, optional: true},
	{path: "deploy/kubernetes/README.md", fn: registerKubeReadme, optional: true},
}

// likeOrders appends a copy of orders' document of an overlay patch: the
// new subgraph is, like orders, an ordinary service (no cache to size).
func likeOrders(src string, d data) (string, error) { return appendLike(src, d, "orders") }

// plan works out every registration of the new subgraph without writing
// anything, so a repository that does not look as expected is left as it
// was.
func plan(r *repo, d data) ([]edit, error) {
	var edits []edit
	for _, s := range registrations {
		src, ok := r.files[s.path]
		if !ok {
			continue
		}
		out, err := s.fn(string(src), d)
		if err != nil {
			return nil, fmt.Errorf("register %s in %s: %w", d.Name, s.path, err)
		}
		edits = append(edits, edit{path: s.path, content: []byte(out), mode: r.modes[s.path]})
	}
	return edits, nil
}

// registerGoWork adds the module to go.work's use block, in order.
func registerGoWork(src string, d data) (string, error) {
	start := strings.Index(src, "use (\n")
	if start < 0 {
		return "", fmt.Errorf("no %q block", "use (")
	}
	body := start + len("use (\n")
	end := strings.Index(src[body:], ")")
	if end < 0 {
		return "", fmt.Errorf("unterminated use block")
	}
	lines := strings.Split(strings.TrimRight(src[body:body+end], "\n"), "\n")
	entry := "\t./" + d.Dir
	for _, l := range lines {
		if strings.TrimSpace(l) == "./"+d.Dir {
			return "", fmt.Errorf("%s is already in use", d.Dir)
		}
	}
	lines = append(lines, entry)
	sort.SliceStable(lines, func(i, j int) bool { return strings.TrimSpace(lines[i]) < strings.TrimSpace(lines[j]) })
	return src[:body] + strings.Join(lines, "\n") + "\n" + src[body+end:], nil
}

// registerSupergraph adds the subgraph to supergraph.yaml's subgraphs, in
// alphabetical order, routed to localhost:<port> as the others are (the
// router's subgraph URL settings override it per deployment).
func registerSupergraph(src string, d data) (string, error) {
	lines := strings.SplitAfter(src, "\n")
	at := -1
	for i, l := range lines {
		if strings.TrimRight(l, "\r\n") == "subgraphs:" {
			at = i
			break
		}
	}
	if at < 0 {
		return "", fmt.Errorf("no top-level subgraphs: key")
	}
	entry := fmt.Sprintf("  %s:\n    routing_url: http://localhost:%d/graphql\n    schema:\n      file: ./%s/graph/schema.graphqls\n", d.Name, d.Port, d.Dir)
	insert := len(lines)
	for i := at + 1; i < len(lines); i++ {
		l := lines[i]
		if strings.TrimSpace(l) == "" || strings.HasPrefix(strings.TrimSpace(l), "#") {
			continue
		}
		if !strings.HasPrefix(l, " ") {
			insert = i // the next top-level key ends the block
			break
		}
		if key, ok := strings.CutPrefix(l, "  "); ok && !strings.HasPrefix(key, " ") {
			if strings.TrimSuffix(strings.TrimSpace(key), ":") > d.Name {
				insert = i
				break
			}
		}
	}
	if insert == len(lines) && !strings.HasSuffix(src, "\n") {
		entry = "\n" + entry
	}
	out := strings.Join(lines[:insert], "") + entry + strings.Join(lines[insert:], "")
	return out, nil
}

var (
	makeModulesRE  = regexp.MustCompile(`(?m)^MODULES :=(.*)$`)
	makeGenerateRE = regexp.MustCompile(`(?m)^(\t@set -e; for m in )([^;]*)(; do \(cd \$\$m && \$\(GO\) generate)`)
	makeBuildRE    = regexp.MustCompile(`(?m)^\tcd subgraphs/\w+ && \$\(GO\) build (?:\$\(stamp\) )?-o \.\./\.\./bin/\w+ \./cmd/\w+\n`)
)

// registerMakefile adds the module to MODULES (test, vet, lint and CI go
// through it), to generate's list and to build.
func registerMakefile(src string, d data) (string, error) {
	m := makeModulesRE.FindStringSubmatchIndex(src)
	if m == nil {
		return "", fmt.Errorf("no MODULES := line")
	}
	mods := strings.Fields(src[m[2]:m[3]])
	last := -1
	for i, mod := range mods {
		if mod == d.Dir {
			return "", fmt.Errorf("%s is already in MODULES", d.Dir)
		}
		if strings.HasPrefix(mod, "subgraphs/") {
			last = i
		}
	}
	mods = append(mods[:last+1], append([]string{d.Dir}, mods[last+1:]...)...)
	src = src[:m[2]] + " " + strings.Join(mods, " ") + src[m[3]:]

	g := makeGenerateRE.FindStringSubmatchIndex(src)
	if g == nil {
		return "", fmt.Errorf("no generate loop (for m in subgraphs/...; do (cd $$m && $(GO) generate ...)")
	}
	src = src[:g[5]] + " " + d.Dir + src[g[5]:]

	builds := makeBuildRE.FindAllStringIndex(src, -1)
	if builds == nil {
		return "", fmt.Errorf("no subgraph line in build (cd subgraphs/<name> && $(GO) build ...)")
	}
	end := builds[len(builds)-1][1]
	line := fmt.Sprintf("\tcd %s && $(GO) build $(stamp) -o ../../bin/%s ./cmd/%s\n", d.Dir, d.Name, d.Name)
	return src[:end] + line + src[end:], nil
}

// registerDevstack adds the subgraph to devstack's Subgraphs table (and
// its app package to the imports), so `make run` starts it.
func registerDevstack(src string, d data) (string, error) {
	alias := d.Name + "app"
	row := fmt.Sprintf("\t\t{Name: %q, Addr: \":%d\", New: app(%s.LoadConfig, %s.New)},\n", d.Name, d.Port, alias, alias)
	return addToGoList(src, "func Subgraphs() []Subgraph {", row, alias, d.Module+"/app")
}
