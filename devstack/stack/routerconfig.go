package stack

import (
	"fmt"
	neturl "net/url"
	"sort"
	"strings"

	routerapp "github.com/shopsupergraph/shop/router/app"
)

// routerConfig builds the configuration of the stack's router: the user's
// router.yaml at path (none when ""), then the ROUTER_* variables of env
// over it, exactly as cmd/router reads them; then the stack's own
// settings, which win where the stack must decide (it picked the ports
// and runs the subgraphs) and fill in only what the user left unset
// elsewhere. docs/configuration.md has the table.
func routerConfig(path string, env map[string]string, listen, supergraph string, forward []string) (routerapp.Config, error) {
	var environ []string
	for k, v := range env {
		if strings.HasPrefix(k, "ROUTER_") {
			environ = append(environ, k+"="+v)
		}
	}
	sort.Strings(environ)
	rc, err := routerapp.LoadConfigEnv(path, environ)
	if err != nil {
		return rc, fmt.Errorf("router config: %w", err)
	}
	defaults := routerapp.DefaultConfig()
	// The stack chose the listener and serves the --supergraph file.
	rc.Listen = listen
	rc.Supergraph = supergraph
	// No load balancer watches the dev stack's /ready: stop at once, as
	// the subgraphs do in development, unless the user asked for a delay.
	if rc.Timeouts.DrainDelay == defaults.Timeouts.DrainDelay {
		rc.Timeouts.DrainDelay = 0
	}
	// Only the subgraphs that read the client's address get it (users:
	// login limits per client), as in docker-compose.yml and
	// deploy/kubernetes; forward lists them (the Subgraphs table).
	if len(rc.ClientAddress.ForwardTo) == 0 {
		rc.ClientAddress.ForwardTo = forward
	}
	// A collector named for the subgraphs gets the router's spans too.
	if u, err := neturl.Parse(env["OTEL_EXPORTER_OTLP_ENDPOINT"]); err == nil && u.Host != "" && !rc.Tracing.Enabled {
		rc.Tracing.Enabled, rc.Tracing.Exporter = true, "otlp"
		rc.Tracing.Endpoint, rc.Tracing.Insecure = u.Host, u.Scheme == "http"
	}
	return rc, nil
}
