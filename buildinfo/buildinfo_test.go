package buildinfo

import (
	"runtime"
	"runtime/debug"
	"strings"
	"testing"
)

func TestRead(t *testing.T) {
	t.Parallel()
	vcs := &debug.BuildInfo{
		GoVersion: "go1.26.0",
		Main:      debug.Module{Path: "example.com/x", Version: "(devel)"},
		Settings: []debug.BuildSetting{
			{Key: "vcs", Value: "git"}, {Key: "vcs.revision", Value: "0123abcd"}, {Key: "vcs.modified", Value: "true"},
		},
	}
	tests := []struct {
		name            string
		version, commit string
		bi              *debug.BuildInfo
		want            string
	}{
		{"linker values win", "v1.2.0-3-g0123abc", "0123abcdef", vcs, "version v1.2.0-3-g0123abc commit 0123abcdef go1.26.0"},
		{"toolchain's vcs stamp", "", "", vcs, "version devel commit 0123abcd (modified) go1.26.0"},
		{"module version from go install", "", "", &debug.BuildInfo{GoVersion: "go1.26.0", Main: debug.Module{Version: "v0.3.0"}}, "version v0.3.0 commit unknown go1.26.0"},
		{"nothing recorded", "", "", nil, "version devel commit unknown " + runtime.Version()},
		{"linker version, toolchain commit", "v2.0.0", "", vcs, "version v2.0.0 commit 0123abcd (modified) go1.26.0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := read(tt.version, tt.commit, tt.bi).String(); got != tt.want {
				t.Fatalf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestPrint(t *testing.T) {
	t.Parallel()
	var b strings.Builder
	if err := Print(&b, "users"); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	if !strings.HasPrefix(out, "users version ") || !strings.Contains(out, " commit ") || !strings.HasSuffix(out, runtime.Version()+"\n") {
		t.Fatalf("Print = %q", out)
	}
}

func TestRequested(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		args []string
		want bool
	}{
		{nil, false}, {[]string{"--version"}, true}, {[]string{"-version"}, true},
		{[]string{"version"}, false}, {[]string{"--version", "x"}, false},
	} {
		if got := Requested(tt.args); got != tt.want {
			t.Errorf("Requested(%q) = %v, want %v", tt.args, got, tt.want)
		}
	}
}
