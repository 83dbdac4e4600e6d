package fedtest

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/parser"
)

// TestCorpusFiles checks every case is complete: SDLs, a supergraph naming
// every subgraph with its placeholder URL, queries with valid JSON goldens,
// and fetch bounds that refer to real queries and subgraphs.
func TestCorpusFiles(t *testing.T) {
	t.Parallel()
	seen := map[string]bool{}
	for _, c := range Cases() {
		if seen[c.Name] {
			t.Errorf("duplicate case name %s", c.Name)
		}
		seen[c.Name] = true
		t.Run(c.Name, func(t *testing.T) {
			t.Parallel()
			if c.Description == "" {
				t.Errorf("case has no description")
			}
			sg, err := os.ReadFile(c.SupergraphPath())
			if err != nil {
				t.Fatal(err)
			}
			if _, err := parser.ParseSchema(&ast.Source{Name: "supergraph", Input: string(sg)}); err != nil {
				t.Errorf("supergraph does not parse: %v", err)
			}
			for _, name := range c.Subgraphs {
				if _, err := c.SubgraphSDL(name); err != nil {
					t.Error(err)
				}
				if !strings.Contains(string(sg), `"http://`+name+`.invalid/graphql"`) {
					t.Errorf("supergraph lacks subgraph %s", name)
				}
			}
			files, err := filepath.Glob(filepath.Join(c.Dir(), "*.graphql"))
			if err != nil {
				t.Fatal(err)
			}
			if len(files) != len(c.Subgraphs)+1 {
				t.Errorf("%d .graphql files for %d subgraphs plus supergraph", len(files), len(c.Subgraphs))
			}
			queries, err := c.Queries()
			if err != nil {
				t.Fatal(err)
			}
			names := map[string]bool{}
			for _, q := range queries {
				names[q.Name] = true
				golden, err := LoadGolden(c, q.Name)
				if err != nil {
					t.Error(err)
					continue
				}
				var v map[string]any
				if err := json.Unmarshal(golden, &v); err != nil {
					t.Errorf("golden %s is not a JSON object: %v", q.Name, err)
					continue
				}
				if _, hasData := v["data"]; !hasData && v["errors"] == nil {
					t.Errorf("golden %s has neither data nor errors", q.Name)
				}
			}
			for q, bounds := range c.Fetches {
				if !names[q] {
					t.Errorf("fetch bounds for unknown query %s", q)
				}
				for sub := range bounds {
					if !contains(c.Subgraphs, sub) {
						t.Errorf("fetch bound for unknown subgraph %s", sub)
					}
				}
			}
		})
	}
}

// TestCorpusSubgraphsServe starts every case's subgraphs and asks each for
// its SDL, proving the SDLs load and the resolvers are wired.
func TestCorpusSubgraphsServe(t *testing.T) {
	t.Parallel()
	for _, c := range Cases() {
		t.Run(c.Name, func(t *testing.T) {
			t.Parallel()
			urls, _ := Start(t, c)
			for name, url := range urls {
				got := post(t, url, `{ _service { sdl } }`, nil)
				if !strings.HasPrefix(got, `{"data":{"_service":{"sdl":`) {
					t.Errorf("%s: %s", name, got)
				}
			}
		})
	}
}

// TestSupergraphWithURLs checks the URL rewrite the router runner relies on.
func TestSupergraphWithURLs(t *testing.T) {
	t.Parallel()
	c, ok := CaseByName("simple-entity")
	if !ok {
		t.Fatal("simple-entity missing")
	}
	sg, err := SupergraphWithURLs(c, map[string]string{"products": "http://127.0.0.1:1/graphql"})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(sg, `url: "http://127.0.0.1:1/graphql"`) || strings.Contains(sg, "products.invalid") {
		t.Errorf("products URL not rewritten")
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// TestCorpusQueriesValidateAgainstSupergraph checks every query whose golden
// carries data is a valid operation on the composed supergraph, so a typo in
// a query cannot hide behind a golden that happens to hold an error.
func TestCorpusQueriesValidateAgainstSupergraph(t *testing.T) {
	t.Parallel()
	for _, c := range Cases() {
		t.Run(c.Name, func(t *testing.T) {
			t.Parallel()
			sg, err := os.ReadFile(c.SupergraphPath())
			if err != nil {
				t.Fatal(err)
			}
			schema, err := gqlparser.LoadSchema(&ast.Source{Name: "supergraph", Input: string(sg)})
			if err != nil {
				t.Fatalf("load supergraph: %v", err)
			}
			queries, err := c.Queries()
			if err != nil {
				t.Fatal(err)
			}
			for _, q := range queries {
				golden, err := LoadGolden(c, q.Name)
				if err != nil {
					t.Fatal(err)
				}
				var resp map[string]any
				if err := json.Unmarshal(golden, &resp); err != nil {
					t.Fatal(err)
				}
				if _, hasData := resp["data"]; !hasData {
					continue
				}
				if _, errs := gqlparser.LoadQueryWithRules(schema, q.Query, nil); len(errs) > 0 {
					t.Errorf("%s: %v", q.Name, errs)
				}
			}
		})
	}
}
