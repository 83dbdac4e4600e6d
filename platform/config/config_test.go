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

// TestSecretFromFile: every secret may come from a file named by its
// *_FILE variable (Docker and Kubernetes secrets), trailing line breaks
// trimmed; setting both, or naming a missing, empty or oversized file, is
// a problem naming the variable.
func TestSecretFromFile(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	secretFile := write("api_secret", "from-a-file with inner\nline\r\n\n")
	empty := write("empty", "\n")
	huge := write("huge", strings.Repeat("x", MaxSecretFileBytes+1))
	cases := []struct {
		name    string
		vars    map[string]string
		want    string
		problem string // substring of the problem; "" = none
	}{
		{"value", map[string]string{"API_SECRET": "plain"}, "plain", ""},
		{"file", map[string]string{"API_SECRET_FILE": secretFile}, "from-a-file with inner\nline", ""},
		{"empty value, file", map[string]string{"API_SECRET": "", "API_SECRET_FILE": secretFile}, "from-a-file with inner\nline", ""},
		{"neither", map[string]string{}, "", ""},
		{"both", map[string]string{"API_SECRET": "plain", "API_SECRET_FILE": secretFile}, "plain", "set API_SECRET or API_SECRET_FILE, not both"},
		{"missing file", map[string]string{"API_SECRET_FILE": filepath.Join(dir, "nope")}, "", "API_SECRET_FILE: read secret file"},
		{"empty file", map[string]string{"API_SECRET_FILE": empty}, "", "API_SECRET_FILE: " + empty + " is empty"},
		{"huge file", map[string]string{"API_SECRET_FILE": huge}, "", "is larger than"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			e := FromMap(c.vars)
			if got := e.Secret("API_SECRET"); got != c.want {
				t.Errorf("Secret = %q, want %q", got, c.want)
			}
			err := e.Err()
			switch {
			case c.problem == "" && err != nil:
				t.Errorf("unexpected problem: %v", err)
			case c.problem != "" && (err == nil || !strings.Contains(err.Error(), c.problem)):
				t.Errorf("problem = %v, want %q", err, c.problem)
			}
		})
	}
}

func TestRequiredSecret(t *testing.T) {
	t.Parallel()
	e := FromMap(map[string]string{})
	if got := e.RequiredSecret("ADMIN_API_KEY"); got != "" {
		t.Fatalf("RequiredSecret = %q", got)
	}
	if err := e.Err(); err == nil || !strings.Contains(err.Error(), "ADMIN_API_KEY is required (or ADMIN_API_KEY_FILE") {
		t.Fatalf("err = %v", err)
	}
	p := filepath.Join(t.TempDir(), "key")
	if err := os.WriteFile(p, []byte("k\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	e = FromMap(map[string]string{"ADMIN_API_KEY_FILE": p})
	if got := e.RequiredSecret("ADMIN_API_KEY"); got != "k" || e.Err() != nil || !e.SecretSet("ADMIN_API_KEY") {
		t.Fatalf("RequiredSecret = %q, %v", got, e.Err())
	}
	// A broken file is reported once, as what it is, not also as missing.
	e = FromMap(map[string]string{"ADMIN_API_KEY_FILE": p + ".missing"})
	e.RequiredSecret("ADMIN_API_KEY")
	if err := e.Err(); err == nil || strings.Contains(err.Error(), "is required") {
		t.Fatalf("err = %v", err)
	}
}
