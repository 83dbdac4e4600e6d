package app_test

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// TestDeferMeros reads the router's incremental responses with meros, the
// multipart reader Apollo's and other JavaScript clients use, under Node:
// it must see the same parts as the standard library's MIME reader. The
// test skips when node or npm is missing or the npm registry is unreachable.
func TestDeferMeros(t *testing.T) {
	t.Parallel()
	node, errNode := exec.LookPath("node")
	npm, errNpm := exec.LookPath("npm")
	if errNode != nil || errNpm != nil {
		t.Skip("node and npm are needed to run meros")
	}
	dir := t.TempDir()
	for _, f := range []string{"package.json", "package-lock.json", "read.mjs"} {
		b, err := os.ReadFile(filepath.Join("testdata", "meros", f))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, f), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	install := exec.Command(npm, "ci", "--no-audit", "--no-fund", "--ignore-scripts")
	install.Dir = dir
	if out, err := install.CombinedOutput(); err != nil {
		t.Skipf("npm ci failed (registry unreachable?): %v\n%s", err, out)
	}
	srv := startRouter(t, deferSubgraphs(t, nil), nil)
	for _, tc := range deferCases {
		if tc.accept != "" || strings.Contains(tc.name, "if-false") {
			continue // not multipart
		}
		body, err := json.Marshal(map[string]any{"query": tc.query, "variables": tc.vars})
		if err != nil {
			t.Fatal(err)
		}
		cmd := exec.Command(node, "read.mjs", srv.URL+"/graphql", string(body))
		cmd.Dir = dir
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("%s: node: %v\n%s", tc.name, err, stderr.String())
		}
		var got []map[string]any
		if err := json.Unmarshal(out, &got); err != nil {
			t.Fatalf("%s: meros output: %v\n%s", tc.name, err, out)
		}
		golden, err := os.ReadFile(filepath.Join("testdata", "defer", tc.name+".txt"))
		if err != nil {
			t.Fatal(err)
		}
		ct, rest, _ := strings.Cut(string(golden), "\n")
		want := checkParts(t, tc.name, strings.TrimPrefix(ct, "Content-Type: "), []byte(rest))
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s: meros read\n%v\nthe MIME reader\n%v", tc.name, got, want)
		}
	}
}
