package stackcheck

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// TestBuildinfoCopies: the router and compose modules keep their own copy
// of platform/buildinfo (they import no module of ours); every copy stays
// byte for byte the same as platform's, tests included.
func TestBuildinfoCopies(t *testing.T) {
	t.Parallel()
	for _, file := range []string{"buildinfo.go", "buildinfo_test.go"} {
		want, err := os.ReadFile(filepath.Join("..", "platform", "buildinfo", file))
		if err != nil {
			t.Fatal(err)
		}
		for _, mod := range []string{"router", "compose"} {
			path := filepath.Join("..", mod, "internal", "buildinfo", file)
			got, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("%s differs from platform/buildinfo/%s: copy it again", path, file)
			}
		}
	}
}
