package stackcheck

import (
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/shopsupergraph/shop/platform/config"
)

// root is the repository root, where docker-compose.yml lives.
const root = ".."

// exampleEnv is .env.example, the configuration `docker compose up` gets
// when an operator copies it to .env.
func exampleEnv(t *testing.T) map[string]string {
	t.Helper()
	env, err := config.ReadDotEnv(filepath.Join(root, ".env.example"))
	if err != nil {
		t.Fatalf(".env.example: %v", err)
	}
	return env
}

// exampleSecrets are the variables whose .env.example values are
// placeholders the services refuse in production, as they should.
var exampleSecrets = []string{"API_SECRET", "ADMIN_API_KEY", "INTERNAL_API_SECRET"}

// operatorEnv is .env.example after an operator replaced its placeholder
// secrets, as its comments ask.
func operatorEnv(t *testing.T) map[string]string {
	t.Helper()
	env := exampleEnv(t)
	for i, name := range exampleSecrets {
		env[name] = []string{"Zq3vN8tLw1xR6pYb0cKd4mHs9uJe2fGa7iTo5yWn", "hV7mQ2xK9pL4wR8s", "t4Kx9Lm2Qw7Rz1Vb8Nc3Hy6Pj5Fd0Gs2"}[i]
	}
	return env
}

// loadCompose parses docker-compose.yml with the operator's .env substituted.
func loadCompose(t *testing.T) *File {
	t.Helper()
	return loadComposeWith(t, operatorEnv(t))
}

func loadComposeWith(t *testing.T, env map[string]string) *File {
	t.Helper()
	f, err := LoadCompose(filepath.Join(root, "docker-compose.yml"), env)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// composeService returns the named service or fails.
func composeService(t *testing.T, f *File, name string) Service {
	t.Helper()
	s, ok := f.Services[name]
	if !ok {
		t.Fatalf("docker-compose.yml has no service %q", name)
	}
	return s
}

// healthURL returns the URL a service's healthcheck fetches, or fails.
func healthURL(t *testing.T, name string, s Service) *url.URL {
	t.Helper()
	if s.Healthcheck == nil || len(s.Healthcheck.Test) == 0 {
		t.Fatalf("%s: no healthcheck", name)
	}
	for _, a := range s.Healthcheck.Test {
		for _, f := range strings.Fields(a) {
			if strings.HasPrefix(f, "http://") {
				u, err := url.Parse(f)
				if err != nil {
					t.Fatalf("%s: healthcheck URL %q: %v", name, f, err)
				}
				return u
			}
		}
	}
	t.Fatalf("%s: healthcheck %q fetches no http:// URL", name, s.Healthcheck.Test)
	return nil
}

// port returns the port of a listen address such as ":4001".
func port(t *testing.T, addr string) string {
	t.Helper()
	_, p, err := net.SplitHostPort(addr)
	if err != nil {
		t.Fatalf("address %q: %v", addr, err)
	}
	return p
}

// hostPort splits "host:port" of a URL or broker address.
func hostPort(t *testing.T, addr string) (string, string) {
	t.Helper()
	h, p, err := net.SplitHostPort(addr)
	if err != nil {
		t.Fatalf("address %q: %v", addr, err)
	}
	return h, p
}

// readFile returns a repository file's text.
func readFile(t *testing.T, rel string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(root, rel))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
