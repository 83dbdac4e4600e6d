package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestEnvCollectsEveryProblem(t *testing.T) {
	t.Parallel()
	e := FromMap(map[string]string{"N": "x", "B": "maybe", "D": "soon", "OK": "7"})
	_ = e.Int("N", 1)
	_ = e.Bool("B", false)
	_ = e.Duration("D", time.Second)
	_ = e.Required("MISSING")
	if got := e.Int("OK", 1); got != 7 {
		t.Fatalf("Int(OK) = %d, want 7", got)
	}
	err := e.Err()
	if err == nil {
		t.Fatal("expected an error")
	}
	for _, want := range []string{"N:", "B:", "D:", "MISSING is required"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}
}

func TestDotEnvFillsGapsButEnvironmentWins(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, ".env")
	if err := os.WriteFile(p, []byte("# comment\nAPI_SECRET=\"from-file\"\nONLY_FILE='x'\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("API_SECRET", "from-env")
	e := FromOS(p)
	if got := e.String("API_SECRET", ""); got != "from-env" {
		t.Errorf("API_SECRET = %q, want from-env", got)
	}
	if got := e.String("ONLY_FILE", ""); got != "x" {
		t.Errorf("ONLY_FILE = %q, want x", got)
	}
	if err := e.Err(); err != nil {
		t.Fatal(err)
	}
}

func TestMalformedDotEnv(t *testing.T) {
	p := filepath.Join(t.TempDir(), ".env")
	if err := os.WriteFile(p, []byte("NOEQUALS\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := FromOS(p).Err(); err == nil {
		t.Fatal("expected malformed .env to be reported")
	}
}

func TestMask(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{"": "", "short": "****", "averylongsecret": "av****et"} {
		if got := Mask(in); got != want {
			t.Errorf("Mask(%q) = %q, want %q", in, got, want)
		}
	}
}
