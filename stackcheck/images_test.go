package stackcheck

import (
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// goBuild matches the build step: cd <module dir> && go build ... -o <out> ./cmd/<name>.
var goBuild = regexp.MustCompile(`cd (\S+) && go build .*-o (\S+) (\./cmd/\S+)`)

// TestDockerfiles checks every image compose builds: a multi-stage build of
// a static (CGO_ENABLED=0) binary from the main package that exists, with
// the Go version of go.work, into a small final image that runs as a
// non-root user the binary it copied.
func TestDockerfiles(t *testing.T) {
	t.Parallel()
	f := loadCompose(t)
	goVersion := regexp.MustCompile(`(?m)^go (\d+\.\d+)`).FindStringSubmatch(readFile(t, "go.work"))
	if goVersion == nil {
		t.Fatal("go.work has no go directive")
	}
	built := 0
	for name, s := range f.Services {
		if s.Build == nil {
			continue
		}
		built++
		t.Run(name, func(t *testing.T) {
			if s.Build.Context != "." {
				t.Errorf("build context %q: images build from the repository root (go.work, platform/)", s.Build.Context)
			}
			stages, err := ParseDockerfile(filepath.Join(root, s.Build.Dockerfile))
			if err != nil {
				t.Fatal(err)
			}
			if len(stages) < 2 {
				t.Fatalf("%d stage(s): want a build stage and a small final stage", len(stages))
			}
			build, final := stages[0], stages[len(stages)-1]
			if want := "golang:" + goVersion[1]; !strings.HasPrefix(build.From, want) {
				t.Errorf("build stage FROM %s, want %s* (go.work says go %s)", build.From, want, goVersion[1])
			}
			static := func(a string) bool { return strings.Contains(a, "CGO_ENABLED=0") }
			if !slices.ContainsFunc(build.Find("ENV"), static) && !slices.ContainsFunc(build.Find("RUN"), static) {
				t.Error("build stage does not set CGO_ENABLED=0: the binary must be static")
			}
			var out, pkg string
			for _, run := range build.Find("RUN") {
				if m := goBuild.FindStringSubmatch(run); m != nil {
					out, pkg = m[2], path.Join(m[1], m[3])
				}
			}
			if pkg == "" {
				t.Fatal("build stage has no `cd <module> && go build -o <out> ./cmd/<name>` step")
			}
			if _, err := Flags(filepath.Join(root, pkg)); err != nil {
				t.Errorf("the image builds %s, which is not a main package here: %v", pkg, err)
			}
			if strings.HasPrefix(final.From, "golang:") {
				t.Errorf("final stage FROM %s: the Go toolchain does not belong in the image", final.From)
			}
			users := final.Find("USER")
			if len(users) == 0 || strings.HasPrefix(users[len(users)-1], "root") || strings.HasPrefix(users[len(users)-1], "0") {
				t.Errorf("final stage USER %v: the service must not run as root", users)
			}
			if hc := s.Healthcheck; hc != nil && len(hc.Test) > 1 && hc.Test[0] == "CMD" {
				tool := hc.Test[1]
				if strings.Contains(final.From, "distroless") || final.From == "scratch" {
					t.Errorf("compose healthcheck runs %s, but the final image %s has no shell tools", tool, final.From)
				}
			}
			var dest string
			for _, c := range final.Find("COPY") {
				f := strings.Fields(c)
				if len(f) == 3 && f[0] == "--from="+orDefault(build.Name, "0") && f[1] == out {
					dest = f[2]
				}
			}
			if dest == "" {
				t.Fatalf("final stage does not copy the built %s from the build stage", out)
			}
			entry := final.Find("ENTRYPOINT")
			if len(entry) == 0 || !strings.Contains(entry[len(entry)-1], `"`+dest+`"`) {
				t.Errorf("ENTRYPOINT %v does not run %s", entry, dest)
			}
		})
	}
	if want := len(Subgraphs()) + 1; built != want {
		t.Errorf("compose builds %d images, want %d (every subgraph and the router)", built, want)
	}
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// TestDockerignoreKeepsSources checks the build context keeps what every
// image needs: go.work, its sum, and every module it lists.
func TestDockerignoreKeepsSources(t *testing.T) {
	t.Parallel()
	var ignored []string
	for _, l := range strings.Split(readFile(t, ".dockerignore"), "\n") {
		if l = strings.TrimSpace(l); l != "" && !strings.HasPrefix(l, "#") {
			ignored = append(ignored, strings.TrimSuffix(l, "/"))
		}
	}
	need := []string{"go.work", "go.work.sum", "supergraph.graphql"}
	for _, m := range regexp.MustCompile(`(?m)^\s+\./(\S+)$`).FindAllStringSubmatch(readFile(t, "go.work"), -1) {
		need = append(need, m[1])
	}
	for _, n := range need {
		for _, pat := range ignored {
			if ok, _ := filepath.Match(pat, n); ok || strings.HasPrefix(n, pat+"/") {
				t.Errorf(".dockerignore pattern %q drops %s from the build context", pat, n)
			}
		}
		if _, err := os.Stat(filepath.Join(root, n)); err != nil {
			t.Errorf("build context needs %s: %v", n, err)
		}
	}
}
