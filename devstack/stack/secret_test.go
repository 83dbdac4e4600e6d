package stack

import (
	"os"
	"path/filepath"
	"testing"
)

// TestSecretIsPrivate: the dev secret and its folder are the owner's
// alone, also when an older version left them readable.
func TestSecretIsPrivate(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "data")
	s, created, err := LoadOrCreateSecret(dir)
	if err != nil || !created || len(s) != 64 {
		t.Fatalf("create: %q %v %v", s, created, err)
	}
	expectMode(t, dir, 0o700)
	expectMode(t, filepath.Join(dir, secretFile), 0o600)
	for _, p := range []string{dir, filepath.Join(dir, secretFile)} {
		if err := os.Chmod(p, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	again, created, err := LoadOrCreateSecret(dir)
	if err != nil || created || again != s {
		t.Fatalf("load: %q %v %v, want %q", again, created, err, s)
	}
	expectMode(t, dir, 0o700)
	expectMode(t, filepath.Join(dir, secretFile), 0o600)
}

func expectMode(t *testing.T, path string, want os.FileMode) {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != want {
		t.Errorf("%s: mode %#o, want %#o", path, fi.Mode().Perm(), want)
	}
}
