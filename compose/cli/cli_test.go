package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const link = `extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key", "@shareable"])
`

const users = link + `type Query { user(id: ID!): User }
type User @key(fields: "id") { id: ID! name: String! email: String }
`

const orders = link + `type Query { orders(first: Int): [Order!]! }
type Order @key(fields: "id") { id: ID! user: User total: Int! }
type User @key(fields: "id") { id: ID! orders: [Order!]! }
`

// project writes a config with two subgraph schema files.
func project(t *testing.T) (dir string) {
	t.Helper()
	dir = t.TempDir()
	for name, sdl := range map[string]string{"users": users, "orders": orders} {
		if err := os.MkdirAll(filepath.Join(dir, name), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name, "schema.graphqls"), []byte(sdl), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	cfg := `federation_version: =2.3.2
subgraphs:
  users:
    routing_url: http://localhost:4001/graphql
    schema: {file: users/schema.graphqls}
  orders:
    routing_url: http://localhost:4003/graphql
    schema: {file: orders/schema.graphqls}
`
	if err := os.WriteFile(filepath.Join(dir, "supergraph.yaml"), []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

func run(t *testing.T, args ...string) (string, string, error) {
	t.Helper()
	var out, errOut bytes.Buffer
	err := Run(context.Background(), args, &out, &errOut)
	return out.String(), errOut.String(), err
}

func TestSupergraphThenCheck(t *testing.T) {
	t.Parallel()
	dir := project(t)
	cfg := filepath.Join(dir, "supergraph.yaml")
	sg := filepath.Join(dir, "supergraph.graphql")
	if _, stderr, err := run(t, "supergraph", "--config", cfg, "-o", sg); err != nil {
		t.Fatalf("supergraph: %v\n%s", err, stderr)
	}
	b, err := os.ReadFile(sg)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`@join__graph(name: "users", url: "http://localhost:4001/graphql")`, "orders: [Order!]! @join__field(graph: ORDERS)"} {
		if !strings.Contains(string(b), want) {
			t.Errorf("supergraph lacks %q:\n%s", want, b)
		}
	}
	stdout, stderr, err := run(t, "check", "--config", cfg, "--supergraph", sg)
	if err != nil || !strings.Contains(stdout, "up to date") {
		t.Fatalf("check on a fresh supergraph: %v\n%s%s", err, stdout, stderr)
	}

	// An additive change is stale but not breaking.
	if err := os.WriteFile(filepath.Join(dir, "users", "schema.graphqls"), []byte(strings.Replace(users, "email: String", "email: String age: Int", 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	_, stderr, err = run(t, "check", "--config", cfg, "--supergraph", sg)
	if !errors.Is(err, ErrCheckFailed) || !strings.Contains(stderr, "stale") || strings.Contains(stderr, "BREAKING") {
		t.Fatalf("additive change: err %v\n%s", err, stderr)
	}

	// A breaking change names each break.
	broken := strings.Replace(strings.Replace(users, "name: String!", "name: String", 1), "email: String", "", 1)
	if err := os.WriteFile(filepath.Join(dir, "users", "schema.graphqls"), []byte(broken), 0o644); err != nil {
		t.Fatal(err)
	}
	_, stderr, err = run(t, "check", "--config", cfg, "--supergraph", sg)
	if !errors.Is(err, ErrCheckFailed) {
		t.Fatalf("breaking change: err %v", err)
	}
	for _, want := range []string{"BREAKING FIELD_MADE_NULLABLE User.name", "BREAKING FIELD_REMOVED User.email", "stale"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
	}

	// Regenerating hides nothing when CI compares with the base branch's copy.
	base := filepath.Join(dir, "base.graphql")
	if err := os.Rename(sg, base); err != nil {
		t.Fatal(err)
	}
	if _, stderr, err := run(t, "supergraph", "--config", cfg, "-o", sg); err != nil {
		t.Fatalf("supergraph: %v\n%s", err, stderr)
	}
	_, stderr, err = run(t, "check", "--config", cfg, "--supergraph", sg, "--base", base)
	if !errors.Is(err, ErrCheckFailed) || !strings.Contains(stderr, "BREAKING FIELD_REMOVED User.email") || strings.Contains(stderr, "stale") {
		t.Fatalf("check against base: err %v\n%s", err, stderr)
	}
}

func TestCompositionErrorsAreAllPrinted(t *testing.T) {
	t.Parallel()
	dir := project(t)
	bad := strings.Replace(orders, "type User @key(fields: \"id\") { id: ID! orders: [Order!]! }",
		"type User @key(fields: \"id\") { id: ID! name: Int orders: [Order!]! email: String }", 1)
	if err := os.WriteFile(filepath.Join(dir, "orders", "schema.graphqls"), []byte(bad), 0o644); err != nil {
		t.Fatal(err)
	}
	_, stderr, err := run(t, "supergraph", "--config", filepath.Join(dir, "supergraph.yaml"))
	if err == nil {
		t.Fatal("want a composition error")
	}
	for _, want := range []string{"FIELD_TYPE_MISMATCH", `"User.name"`, `INVALID_FIELD_SHARING: Non-shareable field "User.email"`, `subgraphs "orders" and "users"`} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
	}
}

func TestUsage(t *testing.T) {
	t.Parallel()
	if _, _, err := run(t); err == nil {
		t.Fatal("want an error without a command")
	}
	if _, stderr, err := run(t, "frobnicate"); err == nil || !strings.Contains(stderr, "usage") {
		t.Fatalf("unknown command: %v %s", err, stderr)
	}
	if _, _, err := run(t, "check", "--config", filepath.Join(t.TempDir(), "missing.yaml")); err == nil {
		t.Fatal("want an error for a missing config")
	}
}

func TestCheckOperationsAndFormats(t *testing.T) {
	t.Parallel()
	dir := project(t)
	cfg := filepath.Join(dir, "supergraph.yaml")
	sg := filepath.Join(dir, "supergraph.graphql")
	if _, stderr, err := run(t, "supergraph", "--config", cfg, "--output", sg); err != nil {
		t.Fatalf("supergraph --output: %v\n%s", err, stderr)
	}
	opsDir := filepath.Join(dir, "operations")
	if err := os.MkdirAll(opsDir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(opsDir, "user.graphql"), []byte(`query UserName($id: ID!) { user(id: $id) { name } }`), 0o644); err != nil {
		t.Fatal(err)
	}
	// email is removed, which no listed operation reads: safe. The
	// supergraph is recomposed so only the comparison with the base counts.
	base := filepath.Join(dir, "base.graphql")
	if err := os.Rename(sg, base); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "users", "schema.graphqls"), []byte(strings.Replace(users, "email: String", "", 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, stderr, err := run(t, "supergraph", "--config", cfg, "-o", sg); err != nil {
		t.Fatalf("supergraph: %v\n%s", err, stderr)
	}
	stdout, stderr, err := run(t, "check", "--config", cfg, "--supergraph", sg, "--base", base, "--operations", opsDir)
	if err != nil || !strings.Contains(stderr, "SAFE FIELD_REMOVED User.email") || !strings.Contains(stdout, "compatible with 1 listed operation") {
		t.Fatalf("unused removal must pass as safe: %v\n%s%s", err, stdout, stderr)
	}
	// Without the operations list, the same removal is breaking.
	if _, _, err := run(t, "check", "--config", cfg, "--supergraph", sg, "--base", base); !errors.Is(err, ErrCheckFailed) {
		t.Fatalf("without --operations every break fails: %v", err)
	}

	// Removing name breaks the listed operation: text, json and github.
	if err := os.WriteFile(filepath.Join(dir, "users", "schema.graphqls"), []byte(strings.Replace(users, "name: String!", "", 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, stderr, err := run(t, "supergraph", "--config", cfg, "-o", sg); err != nil {
		t.Fatalf("supergraph: %v\n%s", err, stderr)
	}
	_, stderr, err = run(t, "check", "--config", cfg, "--supergraph", sg, "--base", base, "--operations", opsDir)
	if !errors.Is(err, ErrCheckFailed) || !strings.Contains(stderr, "BREAKING FIELD_REMOVED User.name") ||
		!strings.Contains(stderr, "breaks UserName (") || !strings.Contains(stderr, "BROKEN_OPERATION UserName") {
		t.Fatalf("text report: %v\n%s", err, stderr)
	}
	stdout, _, err = run(t, "check", "--config", cfg, "--supergraph", sg, "--base", base, "--operations", opsDir, "--format", "json")
	if !errors.Is(err, ErrCheckFailed) {
		t.Fatalf("json: %v", err)
	}
	var rep struct {
		OK       bool `json:"ok"`
		Breaking []struct {
			Code       string   `json:"code"`
			Coordinate string   `json:"coordinate"`
			Operations []string `json:"operations"`
		} `json:"breaking"`
		Operations struct {
			Checked int `json:"checked"`
			Broken  []struct {
				Name string `json:"name"`
			} `json:"broken"`
		} `json:"operations"`
	}
	if err := json.Unmarshal([]byte(stdout), &rep); err != nil {
		t.Fatalf("json report: %v\n%s", err, stdout)
	}
	if rep.OK || len(rep.Breaking) != 1 || rep.Breaking[0].Coordinate != "User.name" || len(rep.Breaking[0].Operations) != 1 ||
		rep.Operations.Checked != 1 || len(rep.Operations.Broken) != 1 || rep.Operations.Broken[0].Name != "UserName" {
		t.Fatalf("json report: %s", stdout)
	}
	stdout, _, err = run(t, "check", "--config", cfg, "--supergraph", sg, "--base", base, "--operations", opsDir, "--format", "github")
	if !errors.Is(err, ErrCheckFailed) || !strings.Contains(stdout, "::error title=BREAKING FIELD_REMOVED::User.name: ") ||
		!strings.Contains(stdout, "::error file="+filepath.Join(opsDir, "user.graphql")+",title=BROKEN_OPERATION UserName::") {
		t.Fatalf("github report: %v\n%s", err, stdout)
	}
}

func TestUsageErrorsAreMarked(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{{}, {"frobnicate"}, {"check", "--nope"}, {"check", "--format", "xml"}, {"supergraph", "--nope"}} {
		if _, _, err := run(t, args...); !errors.Is(err, ErrUsage) {
			t.Errorf("%v: want a usage error (exit 2), got %v", args, err)
		}
	}
}

// TestHints prints hints as warnings, and fails on them only with
// --hints-as-errors.
func TestHints(t *testing.T) {
	t.Parallel()
	dir := project(t)
	// An optional argument only one subgraph declares is dropped: a hint.
	hinted := strings.Replace(orders, "type User @key(fields: \"id\") { id: ID! orders: [Order!]! }",
		"type User @key(fields: \"id\") { id: ID! orders: [Order!]! }\ntype Query { user(id: ID!, verbose: Boolean): User @shareable }", 1)
	hinted = strings.Replace(hinted, "type Query { orders(first: Int): [Order!]! }", "extend type Query { orders(first: Int): [Order!]! }", 1)
	usersShared := strings.Replace(users, "type Query { user(id: ID!): User }", "type Query { user(id: ID!): User @shareable }", 1)
	for name, sdl := range map[string]string{"orders": hinted, "users": usersShared} {
		if err := os.WriteFile(filepath.Join(dir, name, "schema.graphqls"), []byte(sdl), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	cfg := filepath.Join(dir, "supergraph.yaml")
	out, stderr, err := run(t, "supergraph", "--config", cfg)
	if err != nil {
		t.Fatalf("supergraph: %v\n%s", err, stderr)
	}
	want := `HINT INCONSISTENT_ARGUMENT_PRESENCE: Optional argument "Query.user(verbose:)"`
	if !strings.Contains(stderr, want) || !strings.Contains(out, "type Query") {
		t.Fatalf("stderr lacks %q:\n%s", want, stderr)
	}
	if _, stderr, err := run(t, "supergraph", "--config", cfg, "--hints-as-errors"); err == nil || !strings.Contains(stderr, want) {
		t.Fatalf("--hints-as-errors: err=%v\n%s", err, stderr)
	}
}
