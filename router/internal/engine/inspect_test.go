package engine

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/shopsupergraph/shop/router/internal/engine/enginetest"
)

var updateGolden = flag.Bool("update", false, "rewrite the golden files of testdata/")

// TestQueryPlanShowsWhatRuns compares the inspected plan (X-Query-Plan)
// with golden files: with multi-fetch on, the two entity fetches to
// subgraph b of one wave show as one MultiEntity fetch; the root fields
// of a mutation, each with its entity fetch, show as one sequence.
func TestQueryPlanShowsWhatRuns(t *testing.T) {
	t.Parallel()
	sgs := enginetest.Start(t)
	e := newTestEngine(t, sgs, func(o *Options) { o.MultiFetch = true })
	cases := []struct{ name, query string }{
		{"multi-fetch", `{ products { price } product(id: "1") { price } }`},
		{"mutation-sequence", `mutation { first: rename(id: "1", name: "x") { price } second: rename(id: "2", name: "y") { price } }`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			qp, err := e.QueryPlan(&Request{Query: tc.query})
			if err != nil {
				t.Fatal(err)
			}
			got, err := json.MarshalIndent(qp, "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, '\n')
			golden := filepath.Join("testdata", "queryplan", tc.name+".json")
			if *updateGolden {
				if err := os.WriteFile(golden, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want) {
				t.Fatalf("plan differs from %s:\n%s", golden, got)
			}
		})
	}
}
