package router_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"

	"github.com/shopsupergraph/shop/router/app"
	"github.com/shopsupergraph/shop/router/internal/fedtest"
)

// TestFederationCases runs every case of the federation corpus through the
// router against the case's own subgraphs and compares each response with
// the golden recorded from Apollo Gateway.
func TestFederationCases(t *testing.T) {
	t.Parallel()
	runCorpus(t, app.DefaultConfig())
}

// TestFederationCasesSingleFetches runs the corpus without merging
// same-wave entity fetches (multi_fetch: false; the default merges them).
func TestFederationCasesSingleFetches(t *testing.T) {
	t.Parallel()
	cfg := app.DefaultConfig()
	cfg.MultiFetch = false
	runCorpus(t, cfg)
}

func runCorpus(t *testing.T, cfg app.Config) {
	for _, c := range fedtest.Cases() {
		t.Run(c.Name, func(t *testing.T) {
			t.Parallel()
			if _, err := os.Stat(c.SupergraphPath()); err != nil {
				t.Skipf("case %s has no composed supergraph yet: %v", c.Name, err)
			}
			urls, subgraphs := fedtest.Start(t, c)
			sdl, err := fedtest.SupergraphWithURLs(c, urls)
			if err != nil {
				t.Fatal(err)
			}
			r, err := app.New(cfg, app.WithSupergraphSDL(sdl))
			if err != nil {
				t.Fatalf("new router: %v", err)
			}
			t.Cleanup(r.Close)
			srv := httptest.NewServer(r.Handler())
			t.Cleanup(srv.Close)
			queries, err := c.Queries()
			if err != nil {
				t.Fatal(err)
			}
			// Queries run one after another: subgraph request logs are
			// shared per case and some cases mutate state.
			for _, q := range queries {
				t.Run(q.Name, func(t *testing.T) {
					golden, err := fedtest.LoadGolden(c, q.Name)
					if errors.Is(err, os.ErrNotExist) {
						t.Skipf("no golden recorded yet for %s/%s", c.Name, q.Name)
					}
					if err != nil {
						t.Fatal(err)
					}
					for _, sg := range subgraphs {
						sg.Reset()
					}
					got, status := postQuery(t, srv.URL, q)
					if msg := compareResponse(golden, got); msg != "" {
						t.Fatalf("%s/%s: %s (HTTP %d)\nquery:\n%s\ngot:\n%s\nwant:\n%s", c.Name, q.Name, msg, status, q.Query, indent(got), indent(golden))
					}
					if err := fedtest.CheckFetches(c, q.Name, subgraphs); err != nil {
						t.Errorf("%s/%s: %v", c.Name, q.Name, err)
					}
				})
			}
		})
	}
}

func postQuery(t *testing.T, base string, q fedtest.Query) ([]byte, int) {
	t.Helper()
	body, err := json.Marshal(map[string]any{"query": q.Query, "operationName": q.OperationName, "variables": q.Variables})
	if err != nil {
		t.Fatal(err)
	}
	req, err := http.NewRequest(http.MethodPost, base+"/graphql", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	for k, v := range q.Headers {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return out, resp.StatusCode
}

// compareResponse compares data exactly (values and key order) and errors
// by count and path: error messages and extensions are each router's own
// wording. It returns "" when they match.
func compareResponse(want, got []byte) string {
	var w, g struct {
		Data   json.RawMessage `json:"data"`
		Errors []struct {
			Path []any `json:"path"`
		} `json:"errors"`
	}
	if err := json.Unmarshal(want, &w); err != nil {
		return "bad golden: " + err.Error()
	}
	if err := json.Unmarshal(got, &g); err != nil {
		return "response is not JSON: " + err.Error()
	}
	wd, err1 := canonical(w.Data)
	gd, err2 := canonical(g.Data)
	if err1 != nil || err2 != nil {
		return fmt.Sprintf("cannot canonicalize data: %v %v", err1, err2)
	}
	if wd != gd {
		return "data differs"
	}
	if len(w.Errors) != len(g.Errors) {
		return fmt.Sprintf("got %d errors, want %d", len(g.Errors), len(w.Errors))
	}
	for i := range w.Errors {
		if fmt.Sprint(w.Errors[i].Path) != fmt.Sprint(g.Errors[i].Path) {
			return fmt.Sprintf("error %d path %v, want %v", i, g.Errors[i].Path, w.Errors[i].Path)
		}
	}
	return ""
}

// canonical re-encodes JSON compactly, keeping key order, so that equal
// values with equal key order compare equal as strings. Absent data and
// null data both canonicalize to "null".
func canonical(raw json.RawMessage) (string, error) {
	if len(raw) == 0 {
		return "null", nil
	}
	var b bytes.Buffer
	if err := json.Compact(&b, raw); err != nil {
		return "", err
	}
	return b.String(), nil
}

func indent(b []byte) string {
	var out bytes.Buffer
	if err := json.Indent(&out, b, "  ", "  "); err != nil {
		return "  " + strings.TrimSpace(string(b))
	}
	return "  " + out.String()
}
