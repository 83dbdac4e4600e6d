package kube

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"

	"github.com/shopsupergraph/shop/platform/config"
	"github.com/shopsupergraph/shop/stackcheck"
)

// root is the repository root.
const root = "../.."

// The documented Secret: its name, and the file that lists its keys with
// sample values (deploy/kubernetes/README.md tells operators to fill a
// copy and create the Secret from it).
const (
	secretName    = "shop-secrets"
	secretExample = "deploy/kubernetes/secrets.example.env"
)

// The health endpoints the probes must use: /health answers while the
// process runs (liveness, startup: a database outage must not restart
// pods), /ready while its dependencies answer too (readiness). Both
// platform/httpx.WithHealth and the router serve them; the check also
// fetches them from the real handlers.
const (
	livenessPath  = "/health"
	readinessPath = "/ready"
)

// drainMargin is the time a pod needs after its HTTP drain, within the
// grace period: stopping background workers and closing clients.
const drainMargin = 5 * time.Second

// overlay is a folder under deploy/kubernetes/overlays and what it promises.
type overlay struct {
	name    string
	shopEnv string
	env     Environment
}

var (
	production = overlay{name: "production", shopEnv: "production", env: Environment{ReplicasAtLeast: 2, PinnedImages: true, GuaranteedMemory: true}}
	dev        = overlay{name: "dev", shopEnv: "development", env: Environment{ReplicasAtLeast: 1, ReplicasAtMost: 1}}
)

func overlayDir(name string) string {
	return filepath.Join(root, "deploy", "kubernetes", "overlays", name)
}

// documentedSecret reads the Secret's documented keys, with the values an
// operator would put there: the example's are placeholders production
// refuses, as it should.
func documentedSecret(t *testing.T) Secret {
	t.Helper()
	values, err := config.ReadDotEnv(filepath.Join(root, secretExample))
	if err != nil {
		t.Fatal(err)
	}
	for name, v := range map[string]string{
		"API_SECRET":          "Zq3vN8tLw1xR6pYb0cKd4mHs9uJe2fGa7iTo5yWn",
		"ADMIN_API_KEY":       "hV7mQ2xK9pL4wR8sAe3Tb6Yc",
		"INTERNAL_API_SECRET": "t4Kx9Lm2Qw7Rz1Vb8Nc3Hy6Pj5Fd0Gs2",
	} {
		if _, ok := values[name]; !ok {
			t.Fatalf("%s does not document %s", secretExample, name)
		}
		values[name] = v
	}
	return Secret{Name: secretName, Values: values}
}

// checker runs the checks; it remembers what starting each subgraph with
// a given environment showed, so the broken-manifest cases, most of which
// leave the subgraphs' environment alone, start each only once.
type checker struct {
	probed map[string][]string
}

func newChecker() *checker { return &checker{probed: map[string][]string{}} }

// check renders the kustomization in dir and returns every problem the
// checks find, the structural ones and those against the binaries. It
// sets the router's variables with t.Setenv, so callers run sequentially.
func (ck *checker) check(t *testing.T, dir string, ov overlay) []string {
	t.Helper()
	out, err := Render(dir)
	if err != nil {
		return []string{err.Error()}
	}
	o, err := Decode(out)
	if err != nil {
		return []string{err.Error()}
	}
	secret := documentedSecret(t)
	var p problems
	for _, list := range [][]string{
		o.CheckNamespace(), o.CheckWorkloads(), o.CheckServices(), o.CheckReferences(secret),
		o.CheckNetworkPolicies(), o.CheckConfigMapSizes(), o.CheckEnvironment(ov.env),
	} {
		p = append(p, list...)
	}
	flows := Flows{Entry: []string{"router"}, External: map[string][]int32{}}
	listen := map[string]int32{}
	p = append(p, ck.checkSubgraphs(t, o, ov, secret, &flows, listen)...)
	p = append(p, checkRouter(t, o, secret, &flows, listen)...)
	for _, d := range o.Deployments {
		if _, ok := stackcheck.SubgraphNamed(d.Name); !ok && d.Name != "router" {
			p.addf("deployment %s runs no binary the check knows (the router or a subgraph)", d.Name)
		}
	}
	p = append(p, o.CheckFlows(flows)...)
	slices.Sort(p)
	return p
}

// single returns the Deployment's one container, or a problem.
func single(p *problems, o *Objects, name string) (*appsv1.Deployment, *corev1.Container) {
	d := o.Deployment(name)
	if d == nil {
		p.addf("no Deployment runs %s", name)
		return nil, nil
	}
	cs := d.Spec.Template.Spec.Containers
	if len(cs) != 1 {
		p.addf("deployment %s has %d containers, want the service's one", name, len(cs))
		return nil, nil
	}
	if len(cs[0].Command) > 0 {
		p.addf("deployment %s: command %v replaces the image's entrypoint", name, cs[0].Command)
	}
	return d, &cs[0]
}

func readText(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestOverlays renders every overlay and finds no problem.
func TestOverlays(t *testing.T) {
	dirs, err := os.ReadDir(filepath.Join(root, "deploy", "kubernetes", "overlays"))
	if err != nil {
		t.Fatal(err)
	}
	known := map[string]overlay{production.name: production, dev.name: dev}
	ck := newChecker()
	for _, e := range dirs {
		ov, ok := known[e.Name()]
		if !ok {
			t.Errorf("overlay %s is not checked: add what it promises to this test", e.Name())
			continue
		}
		t.Run(ov.name, func(t *testing.T) {
			for _, s := range ck.check(t, overlayDir(ov.name), ov) {
				t.Error(s)
			}
		})
	}
	if len(dirs) != len(known) {
		t.Errorf("found %d overlays, want %d (%s, %s)", len(dirs), len(known), production.name, dev.name)
	}
}
