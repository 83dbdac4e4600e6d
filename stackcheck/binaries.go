package stackcheck

import (
	"context"
	"log/slog"
	"net/http"
	"path"
	"reflect"
	"regexp"
	"slices"
	"strings"

	"github.com/shopsupergraph/shop/platform/config"
	"github.com/shopsupergraph/shop/platform/service"
	ordersapp "github.com/shopsupergraph/shop/subgraphs/orders/app"
	productsapp "github.com/shopsupergraph/shop/subgraphs/products/app"
	usersapp "github.com/shopsupergraph/shop/subgraphs/users/app"
	webhooksapp "github.com/shopsupergraph/shop/subgraphs/webhooks/app"
)

// Subgraph ties a subgraph service to its code: where its module is, its
// app package's LoadConfig and New, called exactly as cmd/ does, and what
// the deployment descriptions need to know about it. The compose check and
// the Kubernetes check (package kube) both check against it.
type Subgraph struct {
	// Name is the service's name: its folder under subgraphs/, its compose
	// service and its Kubernetes Deployment.
	Name string
	// Dir is the module directory, relative to the repository root.
	Dir string
	// Load calls the service's LoadConfig and returns the shared part and the whole.
	Load func(env *config.Env) (service.Common, any, error)
	// Start builds the service as its binary does and returns its handler
	// and what releases it.
	Start func(ctx context.Context, env *config.Env) (http.Handler, func(), error)
	// Redis returns the Redis address of a configuration Load returned
	// ("" when the service uses no Redis).
	Redis func(cfg any) string
	// Internet are the TCP ports the service reaches on public addresses
	// outside the cluster whatever its configuration names: webhooks
	// posts to the endpoints staff register, on 443.
	Internet []int32
}

// Main returns the directory of the service's main package, relative to
// the repository root.
func (sg Subgraph) Main() string { return path.Join(sg.Dir, "cmd", sg.Name) }

// Subgraphs lists every service under subgraphs/. A new subgraph must be
// added here (TestEverySubgraphIsChecked fails until it is).
func Subgraphs() []Subgraph {
	return []Subgraph{
		{
			Name: "users", Dir: "subgraphs/users",
			Load: func(env *config.Env) (service.Common, any, error) {
				c, err := usersapp.LoadConfig(env)
				return c.Common, c, err
			},
			Start: func(ctx context.Context, env *config.Env) (http.Handler, func(), error) {
				c, err := usersapp.LoadConfig(env)
				if err != nil {
					return nil, nil, err
				}
				a, err := usersapp.New(ctx, c, slog.New(slog.DiscardHandler))
				if err != nil {
					return nil, nil, err
				}
				return a.Handler(), a.Close, nil
			},
			Redis: func(cfg any) string { return cfg.(usersapp.Config).RedisLimits.Addr },
		},
		{
			Name: "products", Dir: "subgraphs/products",
			Load: func(env *config.Env) (service.Common, any, error) {
				c, err := productsapp.LoadConfig(env)
				return c.Common, c, err
			},
			Start: func(ctx context.Context, env *config.Env) (http.Handler, func(), error) {
				c, err := productsapp.LoadConfig(env)
				if err != nil {
					return nil, nil, err
				}
				a, err := productsapp.New(ctx, c, slog.New(slog.DiscardHandler))
				if err != nil {
					return nil, nil, err
				}
				return a.Handler(), a.Close, nil
			},
			Redis: func(cfg any) string { return cfg.(productsapp.Config).Redis.Addr },
		},
		{
			Name: "orders", Dir: "subgraphs/orders",
			Load: func(env *config.Env) (service.Common, any, error) {
				c, err := ordersapp.LoadConfig(env)
				return c.Common, c, err
			},
			Start: func(ctx context.Context, env *config.Env) (http.Handler, func(), error) {
				c, err := ordersapp.LoadConfig(env)
				if err != nil {
					return nil, nil, err
				}
				a, err := ordersapp.New(ctx, c, slog.New(slog.DiscardHandler))
				if err != nil {
					return nil, nil, err
				}
				return a.Handler(), func() { _ = a.Close() }, nil
			},
			Redis: func(any) string { return "" },
		},
		{
			Name: "webhooks", Dir: "subgraphs/webhooks",
			Load: func(env *config.Env) (service.Common, any, error) {
				c, err := webhooksapp.LoadConfig(env)
				return c.Common, c, err
			},
			Start: func(ctx context.Context, env *config.Env) (http.Handler, func(), error) {
				c, err := webhooksapp.LoadConfig(env)
				if err != nil {
					return nil, nil, err
				}
				a, err := webhooksapp.New(ctx, c, slog.New(slog.DiscardHandler))
				if err != nil {
					return nil, nil, err
				}
				return a.Handler(), func() { _ = a.Close() }, nil
			},
			Redis:    func(any) string { return "" },
			Internet: []int32{443},
		},
	}
}

// SubgraphNamed returns the subgraph called name.
func SubgraphNamed(name string) (Subgraph, bool) {
	all := Subgraphs()
	i := slices.IndexFunc(all, func(sg Subgraph) bool { return sg.Name == name })
	if i < 0 {
		return Subgraph{}, false
	}
	return all[i], true
}

// UnreadEnv returns the variables of env the service's LoadConfig does
// not read: setting one to garbage changes neither the configuration nor
// its validity. A variable that changes nothing is a typo or dead. The
// error is LoadConfig's on env itself.
func (sg Subgraph) UnreadEnv(env map[string]string) ([]string, error) {
	_, base, err := sg.Load(config.FromMap(env))
	if err != nil {
		return nil, err
	}
	var unread []string
	for k := range env {
		mutated := make(map[string]string, len(env))
		for kk, vv := range env {
			mutated[kk] = vv
		}
		mutated[k] = "stackcheck-garbage-value-" + k
		_, got, err := sg.Load(config.FromMap(mutated))
		if err == nil && reflect.DeepEqual(got, base) {
			unread = append(unread, k)
		}
	}
	slices.Sort(unread)
	return unread, nil
}

// requiredVar matches config.Env's message for a missing required variable.
var requiredVar = regexp.MustCompile(`([A-Z][A-Z0-9_]*) is required`)

// MissingRequired returns the variables the service's LoadConfig requires
// that env leaves empty.
func (sg Subgraph) MissingRequired(env map[string]string) []string {
	_, _, err := sg.Load(config.FromMap(map[string]string{}))
	if err == nil {
		return nil
	}
	var missing []string
	for _, m := range requiredVar.FindAllStringSubmatch(err.Error(), -1) {
		if strings.TrimSpace(env[m[1]]) == "" {
			missing = append(missing, m[1])
		}
	}
	return missing
}
