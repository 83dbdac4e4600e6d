package compose

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// TestLiveOracle, with COMPOSE_ORACLE=1 (CI with node), runs Apollo's
// composition on a copy of the corpus instead of trusting the committed
// expected files, then checks ours against that fresh output and checks that
// the committed files are current. It needs `npm ci` in testdata/oracle
// first; package-lock.json pins Apollo's version.
func TestLiveOracle(t *testing.T) {
	if os.Getenv("COMPOSE_ORACLE") != "1" {
		t.Skip("set COMPOSE_ORACLE=1 (with node and `npm ci` in testdata/oracle) to compare with Apollo live")
	}
	node, err := exec.LookPath("node")
	if err != nil {
		t.Fatal("COMPOSE_ORACLE=1 but node is not on PATH")
	}
	oracle, err := filepath.Abs("testdata/oracle")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(oracle, "node_modules", "@apollo", "composition")); err != nil {
		t.Fatalf("run `npm ci` in %s first: %v", oracle, err)
	}
	tmp := t.TempDir()
	cases, err := filepath.Glob("testdata/corpus/*/*.graphqls")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range cases {
		dst := filepath.Join(tmp, filepath.Base(filepath.Dir(f)), filepath.Base(f))
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			t.Fatal(err)
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(dst, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	cmd := exec.CommandContext(context.Background(), node, filepath.Join(oracle, "compose-oracle.js"), "--corpus", tmp)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		t.Fatalf("oracle: %v\n%s", err, out.String())
	}
	t.Run("committed", func(t *testing.T) {
		for _, name := range []string{"expected.graphql", "expected-errors.json", "expected-hints.json"} {
			fresh, _ := filepath.Glob(filepath.Join(tmp, "*", name))
			committed, _ := filepath.Glob(filepath.Join("testdata/corpus", "*", name))
			if len(fresh) != len(committed) {
				t.Errorf("%d fresh %s, %d committed: rerun the oracle and commit", len(fresh), name, len(committed))
			}
			for _, f := range fresh {
				c := filepath.Base(filepath.Dir(f))
				want, _ := os.ReadFile(f)
				got, err := os.ReadFile(filepath.Join("testdata/corpus", c, name))
				if err != nil || !bytes.Equal(got, want) {
					t.Errorf("%s/%s is not what Apollo gives today: rerun the oracle and commit", c, name)
				}
			}
		}
	})
	t.Run("corpus", func(t *testing.T) { checkCorpus(t, tmp) })
	t.Run("hints", func(t *testing.T) { checkCorpusHints(t, tmp) })
}

// TestExternalCorpus checks a corpus kept outside the repository, for
// example random cases from testdata/oracle/random-cases.js composed by the
// oracle with --corpus: COMPOSE_CORPUS=/tmp/rand go test -run TestExternalCorpus .
func TestExternalCorpus(t *testing.T) {
	dir := os.Getenv("COMPOSE_CORPUS")
	if dir == "" {
		t.Skip("set COMPOSE_CORPUS to a directory of cases the oracle has composed")
	}
	checkCorpus(t, dir)
	checkCorpusHints(t, dir)
}
