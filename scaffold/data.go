package scaffold

import (
	"errors"
	"fmt"
	"go/token"
	"go/types"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// reserved are names a subgraph may not take: Go packages and identifiers
// the generated code uses unqualified (the domain package is named after
// the subgraph), folders and services the repository already has, and
// words that would read as something else.
var reserved = map[string]bool{
	"app": true, "auth": true, "bson": true, "bytes": true, "cmd": true, "config": true,
	"context": true, "errors": true, "fmt": true, "generated": true, "gqlerr": true,
	"gqlerror": true, "gqlguard": true, "graph": true, "graphql": true, "handler": true,
	"hex": true, "http": true, "httpguard": true, "httpx": true, "internal": true,
	"json": true, "logging": true, "main": true, "model": true, "mongo": true,
	"mongostore": true, "mongox": true, "net": true, "options": true, "os": true,
	"playground": true, "rand": true, "service": true, "signal": true, "slog": true,
	"strings": true, "sync": true, "syscall": true, "telemetry": true, "testenv": true,
	"testing": true, "time": true, "transport": true, "url": true, "utf8": true,
	// Modules and docker-compose services of the repository.
	"compose": true, "devstack": true, "e2e": true, "kafka": true, "loadgen": true,
	"platform": true, "redis": true, "router": true, "scaffold": true, "stackcheck": true,
	"subgraph": true, "subgraphs": true, "test": true,
}

var nameRE = regexp.MustCompile(`^[a-z][a-z0-9]*$`)

// ValidateName reports why name cannot name a new subgraph, or nil. It
// does not look at the repository (Run also refuses existing subgraphs).
func ValidateName(name string) error {
	switch {
	case name == "":
		return errors.New("a subgraph name is required, e.g. NAME=reviews")
	case !nameRE.MatchString(name):
		return fmt.Errorf("subgraph name %q: use lowercase letters and digits, starting with a letter (it names a Go package, a folder, a docker-compose service and a GraphQL field)", name)
	case len(name) < 2 || len(name) > 30:
		return fmt.Errorf("subgraph name %q: use 2 to 30 characters", name)
	case token.IsKeyword(name):
		return fmt.Errorf("subgraph name %q is a Go keyword", name)
	case types.Universe.Lookup(name) != nil:
		return fmt.Errorf("subgraph name %q is a predeclared Go identifier", name)
	case reserved[name]:
		return fmt.Errorf("subgraph name %q is reserved: the generated code or the repository already uses it", name)
	}
	return nil
}

// repo is what the scaffold reads from the repository.
type repo struct {
	root string
	// prefix is the module path prefix (github.com/.../shop).
	prefix string
	// subgraphs maps supergraph.yaml's subgraphs to their routing ports.
	subgraphs map[string]int
	// supergraph is the composed supergraph, for name clashes.
	supergraph string
	// files holds the contents of the files Run edits, by relative path.
	files map[string][]byte
	modes map[string]os.FileMode
	// kube says the repository has Kubernetes manifests to register in.
	kube bool
	// sibling is an existing subgraph's module folder: the versions of
	// gqlgen, gqlparser and the MongoDB driver, and go.sum, come from it.
	sibling string
}

// kubeBase holds the Kubernetes manifests, one folder per service.
const kubeBase = "deploy/kubernetes/base"

func readRepo(root string) (*repo, error) {
	r := &repo{root: root, files: map[string][]byte{}, modes: map[string]os.FileMode{}, subgraphs: map[string]int{}}
	for _, s := range registrations {
		p := filepath.Join(root, s.path)
		b, err := os.ReadFile(p)
		if errors.Is(err, os.ErrNotExist) && s.optional {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("read the repository (is %s its root?): %w", root, err)
		}
		fi, err := os.Stat(p)
		if err != nil {
			return nil, err
		}
		r.files[s.path], r.modes[s.path] = b, fi.Mode().Perm()
	}
	_, r.kube = r.files[kubeBase+"/kustomization.yaml"]
	platform, err := os.ReadFile(filepath.Join(root, "platform", "go.mod"))
	if err != nil {
		return nil, fmt.Errorf("read the repository: %w", err)
	}
	mod := modulePath(platform)
	if !strings.HasSuffix(mod, "/platform") {
		return nil, fmt.Errorf("platform/go.mod: module %q does not end in /platform", mod)
	}
	r.prefix = strings.TrimSuffix(mod, "/platform")
	sg, err := os.ReadFile(filepath.Join(root, "supergraph.graphql"))
	if err != nil {
		return nil, fmt.Errorf("read the repository: %w", err)
	}
	r.supergraph = string(sg)
	if err := r.readSubgraphs(); err != nil {
		return nil, err
	}
	names := make([]string, 0, len(r.subgraphs))
	for n := range r.subgraphs {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		dir := filepath.Join("subgraphs", n)
		if b, err := os.ReadFile(filepath.Join(root, dir, "go.mod")); err == nil && strings.Contains(string(b), "github.com/99designs/gqlgen ") {
			r.sibling = dir
			break
		}
	}
	if r.sibling == "" {
		return nil, errors.New("no existing gqlgen subgraph to take dependency versions from")
	}
	return r, nil
}

// supergraphEntryRE matches one subgraph of supergraph.yaml: its name and
// routing_url.
var supergraphEntryRE = regexp.MustCompile(`(?m)^  ([A-Za-z0-9_-]+):[ \t]*\n[ \t]+routing_url:[ \t]*(\S+)`)

func (r *repo) readSubgraphs() error {
	for _, m := range supergraphEntryRE.FindAllStringSubmatch(string(r.files["supergraph.yaml"]), -1) {
		u, err := url.Parse(m[2])
		if err != nil {
			return fmt.Errorf("supergraph.yaml: %s: routing_url %q: %w", m[1], m[2], err)
		}
		port, err := strconv.Atoi(u.Port())
		if err != nil {
			return fmt.Errorf("supergraph.yaml: %s: routing_url %q has no port", m[1], m[2])
		}
		r.subgraphs[m[1]] = port
	}
	if len(r.subgraphs) == 0 {
		return errors.New("supergraph.yaml: no subgraphs found")
	}
	return nil
}

func modulePath(gomod []byte) string {
	for _, line := range strings.Split(string(gomod), "\n") {
		if rest, ok := strings.CutPrefix(strings.TrimSpace(line), "module "); ok {
			return strings.Trim(strings.TrimSpace(rest), `"`)
		}
	}
	return ""
}

// requireVersion returns the version gomod requires of module.
func requireVersion(gomod []byte, module string) string {
	re := regexp.MustCompile(`(?m)^\s*(?:require\s+)?` + regexp.QuoteMeta(module) + `\s+(v\S+)`)
	if m := re.FindSubmatch(gomod); m != nil {
		return string(m[1])
	}
	return ""
}

// data is what the templates see.
type data struct {
	// Name is the subgraph's name (reviews); Go its exported form
	// (Reviews); Title its title (Reviews); Upper its form in variable
	// names (REVIEWS).
	Name, Go, Title, Upper string
	// Type is the example entity (Review), Lower the same in lower case
	// (review), Types its plural in prose (reviews).
	Type, Lower, Types string
	// Dir is the module folder, Module its path, Prefix the repository's
	// module path prefix.
	Dir, Module, Prefix string
	Port                int
	// Versions of gqlgen, gqlparser and mongo (the MongoDB driver).
	Versions map[string]string
	// Limit and MaxBody are the example's bounds (list length, body size).
	Limit, MaxBody int

	goSum []byte
}

func newData(r *repo, name string, port int) (data, error) {
	if _, ok := r.subgraphs[name]; ok {
		return data{}, fmt.Errorf("subgraph %q already exists (supergraph.yaml)", name)
	}
	dir := filepath.ToSlash(filepath.Join("subgraphs", name))
	if _, err := os.Stat(filepath.Join(r.root, dir)); err == nil {
		return data{}, fmt.Errorf("%s already exists: remove it first (the scaffold never overwrites)", dir)
	} else if !errors.Is(err, os.ErrNotExist) {
		return data{}, err
	}
	highest := 0
	for n, p := range r.subgraphs {
		if p == port {
			return data{}, fmt.Errorf("port %d is taken by subgraph %s", port, n)
		}
		highest = max(highest, p)
	}
	if port == 0 {
		port = highest + 1
	}
	if port < 1024 || port > 65535 {
		return data{}, fmt.Errorf("port %d: use 1024-65535", port)
	}
	exported := strings.ToUpper(name[:1]) + name[1:]
	typ := exported
	if strings.HasSuffix(typ, "s") && !strings.HasSuffix(typ, "ss") && len(typ) > 2 {
		typ = strings.TrimSuffix(typ, "s")
	}
	d := data{
		Name: name, Go: exported, Title: exported, Upper: strings.ToUpper(name),
		Type: typ, Lower: strings.ToLower(typ[:1]) + typ[1:], Types: name,
		Dir: dir, Module: r.prefix + "/" + dir, Prefix: r.prefix, Port: port,
		Versions: map[string]string{}, Limit: 100, MaxBody: 2000,
	}
	if err := r.checkClashes(d); err != nil {
		return data{}, err
	}
	gomod, err := os.ReadFile(filepath.Join(r.root, r.sibling, "go.mod"))
	if err != nil {
		return data{}, err
	}
	for key, module := range map[string]string{
		"gqlgen": "github.com/99designs/gqlgen", "gqlparser": "github.com/vektah/gqlparser/v2", "mongo": "go.mongodb.org/mongo-driver",
	} {
		v := requireVersion(gomod, module)
		if v == "" {
			return data{}, fmt.Errorf("%s/go.mod does not require %s", r.sibling, module)
		}
		d.Versions[key] = v
	}
	if d.goSum, err = os.ReadFile(filepath.Join(r.root, r.sibling, "go.sum")); err != nil {
		return data{}, err
	}
	return d, nil
}

// checkClashes refuses an example whose GraphQL names the supergraph
// already has: types, root fields and the field added to Product.
func (r *repo) checkClashes(d data) error {
	types := map[string]bool{}
	for _, m := range regexp.MustCompile(`(?m)^(?:type|input|enum|interface|union|scalar)\s+(\w+)`).FindAllStringSubmatch(r.supergraph, -1) {
		types[m[1]] = true
	}
	var errs []error
	for _, t := range []string{d.Type, "Create" + d.Type + "Input"} {
		if types[t] || t == "Query" || t == "Mutation" || t == "Subscription" {
			errs = append(errs, fmt.Errorf("type %s already exists in supergraph.graphql", t))
		}
	}
	for _, f := range [][2]string{{"Query", d.Name}, {"Mutation", "create" + d.Type}, {"Product", d.Name}} {
		if typeHasField(r.supergraph, f[0], f[1]) {
			errs = append(errs, fmt.Errorf("field %s.%s already exists in supergraph.graphql", f[0], f[1]))
		}
	}
	if len(errs) > 0 {
		return fmt.Errorf("subgraph %q: %w", d.Name, errors.Join(errs...))
	}
	return nil
}

// typeHasField reports whether the SDL's type typ declares field.
func typeHasField(sdl, typ, field string) bool {
	block := regexp.MustCompile(`(?ms)^type ` + typ + `\b[^{]*\{(.*?)^\}`).FindStringSubmatch(sdl)
	if block == nil {
		return false
	}
	return regexp.MustCompile(`(?m)^\s+` + field + `\s*[(:]`).MatchString(block[1])
}
