package stackcheck

import (
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/shopsupergraph/shop/platform/auth"
	routerapp "github.com/shopsupergraph/shop/router/app"
)

// TestRouterJWKSJob runs the router-jwks job's script (sh, base64 and tr,
// which the router image's busybox provides) and proves that the key set
// it writes, where the router reads it, makes the router as compose
// configures it accept the users service's HS256 tokens and refuse tokens
// of another secret before any subgraph.
func TestRouterJWKSJob(t *testing.T) {
	f := loadCompose(t)
	job, router := composeService(t, f, "router-jwks"), composeService(t, f, "router")
	if router.DependsOn["router-jwks"] != "service_completed_successfully" {
		t.Errorf("router must wait for router-jwks to complete (depends_on)")
	}
	jobDir, routerDir := volumeTarget(t, job, "router-jwks"), volumeTarget(t, router, "router-jwks")
	jwksURL := router.Environment["ROUTER_JWKS_URL"]
	file, ok := strings.CutPrefix(jwksURL, "file://"+routerDir+"/")
	if !ok {
		t.Fatalf("ROUTER_JWKS_URL %q is not a file in the router's mount %s of router-jwks", jwksURL, routerDir)
	}
	args := append(slices.Clone(job.Entrypoint), job.Command...)
	if len(args) != 3 || args[0] != "/bin/sh" {
		t.Fatalf("router-jwks runs %q, want /bin/sh -ec <script>", args)
	}
	if !strings.Contains(args[2], jobDir+"/"+file) {
		t.Fatalf("router-jwks does not write %s/%s, where the router reads %s", jobDir, file, jwksURL)
	}
	dir := t.TempDir()
	// chown needs root; the mode the script gives the file is checked.
	script := strings.ReplaceAll(strings.ReplaceAll(args[2], jobDir+"/", dir+"/"), "chown ", ": ")
	const secret = "Zq3vN8tLw1xR6pYb0cKd4mHs9uJe2fGa7iTo5yWn+/=?"
	cmd := exec.Command("sh", args[1], script)
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "API_SECRET=" + secret}
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("router-jwks script: %v\n%s", err, out)
	}
	if fi, err := os.Stat(filepath.Join(dir, file)); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("key set %v %v, want mode 0600", fi, err)
	}

	env := map[string]string{}
	for k, v := range router.Environment {
		env[k] = v
	}
	env["ROUTER_JWKS_URL"] = "file://" + filepath.ToSlash(filepath.Join(dir, file))
	cfg, err := LoadRouterConfig(t.Setenv, env, RouterFlags(router.Command))
	if err != nil {
		t.Fatal(err)
	}
	cfg.Supergraph = filepath.Join(root, "supergraph.graphql")
	r, err := routerapp.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	srv := httptest.NewServer(r.Handler())
	defer srv.Close()
	status := func(s string) int {
		tok, err := auth.NewTokens(s, time.Hour).Issue(auth.Identity{UserID: "u1"})
		if err != nil {
			t.Fatal(err)
		}
		req, err := http.NewRequest(http.MethodPost, srv.URL+"/graphql", strings.NewReader(`{"query":"{ __typename }"}`))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+tok)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res.StatusCode
	}
	if got := status(secret); got != http.StatusOK {
		t.Errorf("users' token signed with API_SECRET: HTTP %d, want 200", got)
	}
	if got := status(secret + "x"); got != http.StatusUnauthorized {
		t.Errorf("token signed with another secret: HTTP %d, want 401", got)
	}
}

// volumeTarget returns where s mounts the named volume.
func volumeTarget(t *testing.T, s Service, volume string) string {
	t.Helper()
	for _, v := range s.Volumes {
		parts := strings.Split(v, ":")
		if len(parts) >= 2 && parts[0] == volume {
			return path.Clean(parts[1])
		}
	}
	t.Fatalf("service mounts no volume %s: %v", volume, s.Volumes)
	return ""
}
