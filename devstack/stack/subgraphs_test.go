package stack_test

import (
	"net"
	"net/url"
	"os"
	"regexp"
	"testing"

	"github.com/shopsupergraph/shop/devstack/stack"
)

// TestSubgraphsMatchSupergraphConfig: the stack runs exactly the
// subgraphs supergraph.yaml composes, each on the port of its routing_url,
// so `make run` serves what `make compose` describes.
func TestSubgraphsMatchSupergraphConfig(t *testing.T) {
	t.Parallel()
	raw, err := os.ReadFile("../../supergraph.yaml")
	if err != nil {
		t.Fatal(err)
	}
	// supergraph.yaml lists "  <name>:" then "    routing_url: <url>".
	re := regexp.MustCompile(`(?m)^  ([a-z][a-z0-9]*):\s*\n\s+routing_url:\s*(\S+)`)
	ports := map[string]string{}
	for _, m := range re.FindAllStringSubmatch(string(raw), -1) {
		u, err := url.Parse(m[2])
		if err != nil {
			t.Fatalf("%s: routing_url %q: %v", m[1], m[2], err)
		}
		ports[m[1]] = u.Port()
	}
	seen := map[string]bool{}
	for _, sg := range stack.Subgraphs() {
		seen[sg.Name] = true
		_, port, err := net.SplitHostPort(sg.Addr)
		if err != nil {
			t.Fatalf("%s: Addr %q: %v", sg.Name, sg.Addr, err)
		}
		if want, ok := ports[sg.Name]; !ok {
			t.Errorf("%s runs in the stack but is not in supergraph.yaml", sg.Name)
		} else if port != want {
			t.Errorf("%s listens on port %s in the stack, supergraph.yaml routes to %s", sg.Name, port, want)
		}
		if sg.New == nil {
			t.Errorf("%s: no New", sg.Name)
		}
	}
	for name := range ports {
		if !seen[name] {
			t.Errorf("%s is in supergraph.yaml but the stack does not run it", name)
		}
	}
	if len(ports) == 0 {
		t.Fatal("no subgraphs read from supergraph.yaml")
	}
}
