package scaffold_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/shopsupergraph/shop/scaffold"
)

func TestValidateName(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		want string // part of the error; "" = valid
	}{
		{"reviews", ""},
		{"ratings2", ""},
		{"", "required"},
		{"Reviews", "lowercase"},
		{"my-reviews", "lowercase"},
		{"my_reviews", "lowercase"},
		{"2reviews", "lowercase"},
		{"r", "2 to 30"},
		{strings.Repeat("r", 31), "2 to 30"},
		{"func", "keyword"},
		{"type", "keyword"},
		{"string", "predeclared"},
		{"len", "predeclared"},
		{"context", "reserved"},
		{"router", "reserved"},
	}
	for _, tt := range tests {
		err := scaffold.ValidateName(tt.name)
		if (tt.want == "") != (err == nil) || (err != nil && !strings.Contains(err.Error(), tt.want)) {
			t.Errorf("ValidateName(%q) = %v, want %q", tt.name, err, tt.want)
		}
	}
}

// repoRoot is the repository this module lives in.
func repoRoot(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	return root
}

// copyRepo copies the repository's files (tracked, and untracked ones not
// ignored, as `git ls-files` lists them) into dst, a new folder.
func copyRepo(t *testing.T, dst string) {
	t.Helper()
	root := repoRoot(t)
	out, err := exec.Command("git", "-C", root, "ls-files", "-z", "--cached", "--others", "--exclude-standard").Output()
	if err != nil {
		t.Skipf("git ls-files: %v (the test needs the repository's git checkout)", err)
	}
	for _, f := range strings.Split(strings.TrimRight(string(out), "\x00"), "\x00") {
		src := filepath.Join(root, f)
		fi, err := os.Lstat(src)
		if err != nil || !fi.Mode().IsRegular() {
			continue // deleted in the work tree, or not a file
		}
		b, err := os.ReadFile(src)
		if err != nil {
			t.Fatal(err)
		}
		p := filepath.Join(dst, f)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, b, fi.Mode().Perm()); err != nil {
			t.Fatal(err)
		}
	}
}

func read(t *testing.T, dir, f string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, f))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestRegistersAndRefusesToOverwrite scaffolds without running go
// generate: the files and registrations are there, and a second run, or
// a clashing name, changes nothing.
func TestRegistersAndRefusesToOverwrite(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	copyRepo(t, dir)
	res, err := scaffold.Run(context.Background(), scaffold.Options{Root: dir, Name: "reviews", SkipGenerate: true})
	if err != nil {
		t.Fatal(err)
	}
	if res.Dir != "subgraphs/reviews" || res.Type != "Review" || res.Port != 4005 {
		t.Fatalf("Run = %+v", res)
	}
	for f, want := range map[string]string{
		"go.work":                     "\t./subgraphs/reviews\n",
		"supergraph.yaml":             "  reviews:\n    routing_url: http://localhost:4005/graphql\n    schema:\n      file: ./subgraphs/reviews/graph/schema.graphqls\n",
		"Makefile":                    "\tcd subgraphs/reviews && $(GO) build $(stamp) -o ../../bin/reviews ./cmd/reviews\n",
		"devstack/stack/subgraphs.go": `{Name: "reviews", Addr: ":4005", New: app(reviewsapp.LoadConfig, reviewsapp.New)},`,
		"subgraphs/reviews/graph/schema.graphqls":     "type Product @key(fields: \"_id\") {\n  _id: ID!\n  reviews: [Review!]!\n}",
		"subgraphs/reviews/cmd/reviews/main.go":       "// Command reviews runs",
		"docker-compose.yml":                          "      ROUTER_SUBGRAPH_URL_REVIEWS: http://reviews:4005/graphql\n",
		"stackcheck/binaries.go":                      `Name: "reviews", Dir: "subgraphs/reviews",`,
		"deploy/kubernetes/base/kustomization.yaml":   "  - reviews/deployment.yaml\n  - reviews/service.yaml\n  - reviews/scaling.yaml\n",
		"deploy/kubernetes/base/router/router.yaml":   "  reviews:\n    url: http://reviews:4005/graphql\n",
		"deploy/kubernetes/base/reviews/service.yaml": "      port: 4005\n",
	} {
		if got := read(t, dir, f); !strings.Contains(got, want) {
			t.Errorf("%s lacks %q:\n%s", f, want, got)
		}
	}
	if mk := read(t, dir, "Makefile"); !strings.Contains(mk, "subgraphs/webhooks subgraphs/reviews router") ||
		!strings.Contains(mk, "for m in subgraphs/users subgraphs/products subgraphs/orders subgraphs/webhooks subgraphs/reviews; do") {
		t.Errorf("Makefile: MODULES or generate lack subgraphs/reviews:\n%s", mk)
	}

	before := snapshot(t, dir)
	for _, o := range []scaffold.Options{
		{Root: dir, Name: "reviews", SkipGenerate: true}, // again
		{Root: dir, Name: "orders", SkipGenerate: true},  // an existing subgraph
		{Root: dir, Name: "order", SkipGenerate: true},   // type Order exists
		{Root: dir, Name: "ratings", Port: 4002, SkipGenerate: true},
	} {
		if _, err := scaffold.Run(context.Background(), o); err == nil {
			t.Errorf("Run(%s, port %d) again: no error", o.Name, o.Port)
		} else {
			t.Logf("Run(%s): %v", o.Name, err)
		}
	}
	if after := snapshot(t, dir); after != before {
		t.Fatal("a refused run changed the repository")
	}
}

// snapshot is every file under dir with its size and content hash, enough
// to see that nothing was written.
func snapshot(t *testing.T, dir string) string {
	t.Helper()
	var b strings.Builder
	err := filepath.WalkDir(dir, func(p string, e os.DirEntry, err error) error {
		if err != nil || e.IsDir() {
			return err
		}
		c, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		b.WriteString(p)
		b.Write(c)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// stableCopyDir is a folder for the copy that is the same on every run
// from this checkout: the build cache keys packages by their folder, so a
// copy at a new path would compile every package of the shop again, while
// at this one a second run reuses the first's work (and the third-party
// packages are shared with the other modules' tests in any case). Two
// runs from one checkout at once would share it, so the test holds a lock
// file beside it.
func stableCopyDir(t *testing.T) string {
	t.Helper()
	sum := sha256.Sum256([]byte(repoRoot(t)))
	dir := filepath.Join(os.TempDir(), "shop-scaffold-test-"+hex.EncodeToString(sum[:6]))
	lock, err := os.OpenFile(dir+".lock", os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		t.Fatalf("%s.lock: %v (another run of this test from this checkout is under way, or one crashed: then remove the lock)", dir, err)
	}
	_ = lock.Close() //nolint:errcheck // only its existence matters
	if err := os.RemoveAll(dir); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := os.RemoveAll(dir); err != nil {
			t.Errorf("remove the copy: %v", err)
		}
		if err := os.Remove(dir + ".lock"); err != nil {
			t.Errorf("remove the lock: %v", err)
		}
	})
	return dir
}

// goCmd runs the go command in dir, failing the test with its output.
func goCmd(t *testing.T, ctx context.Context, dir string, args ...string) string {
	t.Helper()
	start := time.Now()
	cmd := exec.CommandContext(ctx, "go", args...)
	cmd.Dir = dir
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		t.Fatalf("go %s in %s: %v\n%s", strings.Join(args, " "), dir, err, out.String())
	}
	t.Logf("go %s (%s): %s", strings.Join(args, " "), time.Since(start).Round(time.Millisecond), lastLines(out.String(), 8))
	return out.String()
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// TestNewSubgraphThroughRouter is the whole journey on a copy of the
// repository: scaffold reviews (go generate and go mod tidy included),
// build it, compose the supergraph as `make compose` does, then start the
// stack with it through devstack's API (a test written into the copy,
// run by `go test` in a process of its own, every part on a free port)
// and create a review and read products with their reviews through the
// router.
func TestNewSubgraphThroughRouter(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: builds, tests and starts the shop with a new subgraph in a copy of the repository (45-100 s)")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 12*time.Minute)
	defer cancel()
	dir := stableCopyDir(t)
	copyRepo(t, dir)
	var log bytes.Buffer
	if _, err := scaffold.Run(ctx, scaffold.Options{Root: dir, Name: "reviews", Log: &log}); err != nil {
		t.Fatalf("scaffold: %v\n%s", err, log.String())
	}
	sub := filepath.Join(dir, "subgraphs", "reviews")
	goCmd(t, ctx, sub, "build", "./...")
	goCmd(t, ctx, sub, "test", "-count=1", "./...")
	// As `make compose` does: the supergraph, and its copy for Kubernetes.
	goCmd(t, ctx, filepath.Join(dir, "compose"), "run", "./cmd/compose", "supergraph", "--config", "../supergraph.yaml", "-o", "../supergraph.graphql")
	sg := read(t, dir, "supergraph.graphql")
	if !strings.Contains(sg, `REVIEWS @join__graph(name: "reviews", url: "http://localhost:4005/graphql")`) {
		t.Fatalf("composed supergraph lacks reviews:\n%s", sg)
	}
	if err := os.WriteFile(filepath.Join(dir, "deploy", "kubernetes", "base", "router", "supergraph.graphql"), []byte(sg), 0o644); err != nil {
		t.Fatal(err)
	}
	// docker-compose.yml and the Kubernetes manifests hold the new service
	// to its binary as they do the others.
	goCmd(t, ctx, filepath.Join(dir, "stackcheck"), "test", "-count=1", ".", "./kube")
	journey, err := os.ReadFile(filepath.Join("testdata", "stack_scaffold_test.go.txt"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "devstack", "stack", "scaffold_journey_test.go"), journey, 0o644); err != nil {
		t.Fatal(err)
	}
	out := goCmd(t, ctx, filepath.Join(dir, "devstack"), "test", "-count=1", "-v", "-run", "^TestScaffoldedReviews$", "./stack")
	if !strings.Contains(out, "--- PASS: TestScaffoldedReviews") {
		t.Fatalf("the journey did not pass:\n%s", out)
	}
}
