package compose

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/shopsupergraph/shop/compose/diag"
	"github.com/shopsupergraph/shop/compose/supergraph"
)

// loadCase reads the subgraphs of one corpus case, named after their files,
// with the same routing URLs the oracle script used.
func loadCase(t *testing.T, dir string) []Source {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*.graphqls"))
	if err != nil {
		t.Fatal(err)
	}
	var out []Source
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		name := strings.TrimSuffix(filepath.Base(f), ".graphqls")
		out = append(out, Source{Name: name, URL: "http://" + name + ".local/graphql", SDL: string(b)})
	}
	return out
}

// TestDifferentialCorpus composes every case of testdata/corpus and checks
// the result against Apollo's committed output: an equivalent supergraph, or
// the same set of error codes.
func TestDifferentialCorpus(t *testing.T) {
	t.Parallel()
	checkCorpus(t, "testdata/corpus")
}

// checkCorpus runs the differential check on every case of a corpus
// directory holding Apollo's expected files.
func checkCorpus(t *testing.T, corpus string) {
	t.Helper()
	dirs, err := filepath.Glob(filepath.Join(corpus, "*"))
	if err != nil {
		t.Fatal(err)
	}
	if len(dirs) < 40 {
		t.Fatalf("corpus has %d cases, want at least 40", len(dirs))
	}
	for _, dir := range dirs {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			t.Parallel()
			checkCase(t, dir)
		})
	}
}

func checkCase(t *testing.T, dir string) {
	t.Helper()
	got, err := Compose(loadCase(t, dir))
	if b, rerr := os.ReadFile(filepath.Join(dir, "expected-errors.json")); rerr == nil {
		var want []struct{ Code string }
		if err := json.Unmarshal(b, &want); err != nil {
			t.Fatal(err)
		}
		var wantCodes []string
		for _, w := range want {
			if !slices.Contains(wantCodes, w.Code) {
				wantCodes = append(wantCodes, w.Code)
			}
		}
		sort.Strings(wantCodes)
		var list diag.List
		if !errors.As(err, &list) {
			t.Fatalf("want errors %v, composition succeeded (err=%v)", wantCodes, err)
		}
		if !slices.Equal(list.Codes(), wantCodes) {
			t.Fatalf("error codes %v, want %v\n%v", list.Codes(), wantCodes, err)
		}
		return
	}
	if err != nil {
		t.Fatalf("compose: %v", err)
	}
	want, rerr := os.ReadFile(filepath.Join(dir, "expected.graphql"))
	if rerr != nil {
		t.Fatal(rerr)
	}
	assertEquivalent(t, got, string(want))
}

func assertEquivalent(t *testing.T, got, want string) {
	t.Helper()
	g, err := supergraph.Canonical(got)
	if err != nil {
		t.Fatalf("our supergraph does not parse: %v\n%s", err, got)
	}
	w, err := supergraph.Canonical(want)
	if err != nil {
		t.Fatal(err)
	}
	if g == w {
		return
	}
	gl, wl := strings.Split(g, "\n"), strings.Split(w, "\n")
	var diff []string
	for _, l := range wl {
		if !slices.Contains(gl, l) {
			diff = append(diff, "- "+l)
		}
	}
	for _, l := range gl {
		if !slices.Contains(wl, l) {
			diff = append(diff, "+ "+l)
		}
	}
	t.Fatalf("supergraph differs from Apollo's (- Apollo, + ours):\n%s", strings.Join(diff, "\n"))
}

// TestCorpusByteIdentical goes further than equivalence: for successful
// cases our printer reproduces Apollo's output byte for byte (same type,
// field and directive order), which keeps supergraph diffs between the two
// tools empty.
func TestCorpusByteIdentical(t *testing.T) {
	t.Parallel()
	dirs, err := filepath.Glob("testdata/corpus/*")
	if err != nil {
		t.Fatal(err)
	}
	for _, dir := range dirs {
		want, err := os.ReadFile(filepath.Join(dir, "expected.graphql"))
		if err != nil {
			continue
		}
		got, err := Compose(loadCase(t, dir))
		if err != nil {
			t.Errorf("%s: %v", dir, err)
			continue
		}
		if got != string(want) {
			t.Errorf("%s: output is equivalent at best but not identical to Apollo's", filepath.Base(dir))
		}
	}
}
