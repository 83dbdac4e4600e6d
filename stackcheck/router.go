package stackcheck

import (
	"fmt"
	"path/filepath"
	"strings"

	routerapp "github.com/shopsupergraph/shop/router/app"
)

// The router's main package and Dockerfile, relative to the repository root.
const (
	RouterMain       = "router/cmd/router"
	RouterDockerfile = "router/Dockerfile"
)

// RouterFlags returns the flags of a router command line by name
// ("--listen :8080" and "-listen=:8080" alike).
func RouterFlags(args []string) map[string]string {
	out := map[string]string{}
	for i := 0; i < len(args); i++ {
		name, v, ok := strings.Cut(strings.TrimLeft(args[i], "-"), "=")
		if !ok && i+1 < len(args) {
			i++
			v = args[i]
		}
		out[name] = v
	}
	return out
}

// LoadRouterConfig loads the router's configuration as cmd/router does:
// router.yaml at flags["config"] and the ROUTER_* variables of env, then
// the --supergraph and --listen flags on top; it returns the validation
// error too. routerapp.LoadConfig reads the process environment, so env is
// put there with setenv: tests pass t.Setenv, which undoes it.
func LoadRouterConfig(setenv func(key, value string), env, flags map[string]string) (routerapp.Config, error) {
	for k, v := range env {
		setenv(k, v)
	}
	cfg, err := routerapp.LoadConfig(flags["config"])
	if err != nil {
		return cfg, err
	}
	if v := flags["supergraph"]; v != "" {
		cfg.Supergraph = v
	}
	if v := flags["listen"]; v != "" {
		cfg.Listen = v
	}
	return cfg, cfg.Validate()
}

// ImageFileSource returns the repository file (relative to root) that a
// Dockerfile's final stage copies to dest.
func ImageFileSource(root, dockerfile, dest string) (string, error) {
	final, err := finalStage(root, dockerfile)
	if err != nil {
		return "", err
	}
	for _, args := range final.Find("COPY") {
		f := strings.Fields(args)
		if len(f) == 2 && f[1] == dest {
			return f[0], nil
		}
	}
	return "", fmt.Errorf("%s copies nothing to %s", dockerfile, dest)
}

// ImageEnv returns the environment a Dockerfile's final stage sets (ENV):
// what the container starts with before its orchestrator adds more.
func ImageEnv(root, dockerfile string) (map[string]string, error) {
	final, err := finalStage(root, dockerfile)
	if err != nil {
		return nil, err
	}
	return final.Env(), nil
}

func finalStage(root, dockerfile string) (Stage, error) {
	stages, err := ParseDockerfile(filepath.Join(root, dockerfile))
	if err != nil {
		return Stage{}, err
	}
	if len(stages) == 0 {
		return Stage{}, fmt.Errorf("%s has no stage", dockerfile)
	}
	return stages[len(stages)-1], nil
}
