package compose

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/shopsupergraph/shop/compose/hints"
)

// TestCorpusHints compares, on every case Apollo composes, the set of hint
// codes we report with Apollo's (expected-hints.json, absent when Apollo
// gave none), for the codes package hints implements.
func TestCorpusHints(t *testing.T) {
	t.Parallel()
	checkCorpusHints(t, "testdata/corpus")
}

func checkCorpusHints(t *testing.T, corpus string) {
	t.Helper()
	dirs, err := filepath.Glob(filepath.Join(corpus, "*"))
	if err != nil {
		t.Fatal(err)
	}
	for _, dir := range dirs {
		if _, err := os.Stat(filepath.Join(dir, "expected.graphql")); err != nil {
			continue
		}
		var want []string
		if b, err := os.ReadFile(filepath.Join(dir, "expected-hints.json")); err == nil {
			var hs []struct{ Code string }
			if err := json.Unmarshal(b, &hs); err != nil {
				t.Fatal(err)
			}
			for _, h := range hs {
				if slices.Contains(hints.Codes, h.Code) && !slices.Contains(want, h.Code) {
					want = append(want, h.Code)
				}
			}
		}
		_, got, err := ComposeWithHints(loadCase(t, dir))
		if err != nil {
			t.Errorf("%s: %v", filepath.Base(dir), err)
			continue
		}
		codes := got.Codes()
		slices.Sort(want)
		if !slices.Equal(codes, want) {
			t.Errorf("%s: hint codes %v, want %v\n%v", filepath.Base(dir), codes, want, got)
		}
	}
}
