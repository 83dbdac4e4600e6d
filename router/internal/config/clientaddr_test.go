package config

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestClientAddressForwardTo checks client_address.forward_to from
// router.yaml and ROUTER_FORWARD_CLIENT_ADDRESS_TO, its default (every
// subgraph) and its validation.
func TestClientAddressForwardTo(t *testing.T) {
	t.Parallel()
	if got := Default().ClientAddressSubgraphs(); got != nil {
		t.Fatalf("default: %q, want nil (every subgraph)", got)
	}
	path := filepath.Join(t.TempDir(), "router.yaml")
	if err := os.WriteFile(path, []byte("supergraph: s.graphql\nclient_address: {forward_to: [users]}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := Load(path, []string{})
	if err != nil {
		t.Fatal(err)
	}
	if got := c.ClientAddressSubgraphs(); !slices.Equal(got, []string{"users"}) {
		t.Fatalf("yaml: %q, want [users]", got)
	}
	c, err = Load(path, []string{"ROUTER_FORWARD_CLIENT_ADDRESS_TO=users, orders"})
	if err != nil {
		t.Fatal(err)
	}
	if got := c.ClientAddressSubgraphs(); !slices.Equal(got, []string{"users", "orders"}) {
		t.Fatalf("env: %q, want [users orders]", got)
	}
	c.ClientAddress.ForwardTo = []string{"users", " "}
	if err := c.Validate(); err == nil || !strings.Contains(err.Error(), "client_address.forward_to") {
		t.Fatalf("validate: %v, want a client_address.forward_to error", err)
	}
}
