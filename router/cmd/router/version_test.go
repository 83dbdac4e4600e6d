package main

import (
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"testing"
)

// TestVersionFlag builds the router binary the way `make build` does, with
// the version and commit stamped by the linker, and once plainly, and runs
// `router --version`: one line with the version, the commit and the Go
// version, and nothing served.
func TestVersionFlag(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	const pkg = "github.com/shopsupergraph/shop/buildinfo"
	tests := []struct {
		name    string
		ldflags string
		want    *regexp.Regexp
	}{
		{"stamped", "-X " + pkg + ".Version=v1.2.3-4-gabcdef0-dirty -X " + pkg + ".Commit=abcdef0123456789",
			regexp.MustCompile(`^router version v1\.2\.3-4-gabcdef0-dirty commit abcdef0123456789 ` + regexp.QuoteMeta(runtime.Version()) + "\n$")},
		{"plain go build", "",
			regexp.MustCompile(`^router version \S+ commit \S+( \(modified\))? go\S+` + "\n$")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			bin := filepath.Join(t.TempDir(), "router")
			build := exec.Command("go", "build", "-ldflags", tt.ldflags, "-o", bin, ".")
			if out, err := build.CombinedOutput(); err != nil {
				t.Fatalf("go build: %v\n%s", err, out)
			}
			out, err := exec.Command(bin, "--version").Output()
			if err != nil {
				t.Fatalf("router --version: %v", err)
			}
			if !tt.want.Match(out) {
				t.Fatalf("router --version = %q, want %s", out, tt.want)
			}
		})
	}
}
