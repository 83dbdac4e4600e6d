package check

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// sg builds a small supergraph around the given type definitions.
func sg(types string) string {
	return `schema @link(url: "https://specs.apollo.dev/link/v1.0") @link(url: "https://specs.apollo.dev/join/v0.3", for: EXECUTION) { query: Query mutation: Mutation }
directive @join__type(graph: join__Graph!, key: join__FieldSet) repeatable on OBJECT | INTERFACE
directive @inaccessible on FIELD_DEFINITION | OBJECT | ENUM_VALUE | ARGUMENT_DEFINITION
directive @authenticated on FIELD_DEFINITION | OBJECT
scalar join__FieldSet
enum join__Graph { A @join__graph(name: "a", url: "http://a") }
` + types
}

const baseTypes = `
type Query @join__type(graph: A) {
  product(id: ID!): Product
  products(first: Int = 20, filter: ProductFilter): [Product!]!
  search(kind: Kind!): [Result!]!
}
type Mutation @join__type(graph: A) { restock(id: ID!, quantity: Int!): Product }
type Product @join__type(graph: A, key: "id") { id: ID! name: String! price: Int status: Status! secret: String @inaccessible }
type Review @join__type(graph: A) { id: ID! body: String }
union Result = Product | Review
input ProductFilter { nameContains: String inStock: Boolean }
enum Status { ACTIVE ARCHIVED }
enum Kind { PRODUCT REVIEW }
`

func ops(t *testing.T, docs map[string]string) []Operation {
	t.Helper()
	dir := t.TempDir()
	for name, body := range docs {
		if err := os.WriteFile(filepath.Join(dir, name+".graphql"), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	out, err := LoadOperations(dir)
	if err != nil {
		t.Fatal(err)
	}
	SortedOperations(out)
	return out
}

func checkOps(t *testing.T, newTypes string, list []Operation) OperationReport {
	t.Helper()
	oldSDL, newSDL := sg(baseTypes), sg(newTypes)
	breaks, err := Breaking(oldSDL, newSDL)
	if err != nil {
		t.Fatal(err)
	}
	dangers, err := Dangerous(oldSDL, newSDL)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := CheckOperations(oldSDL, newSDL, breaks, dangers, list)
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

func codes(list []Impact) string {
	var out []string
	for _, i := range list {
		out = append(out, i.Code+" "+i.Coordinate+" -> "+strings.Join(i.Operations, ","))
	}
	return strings.Join(out, "\n")
}

func TestOperationsDecideWhichBreaksMatter(t *testing.T) {
	t.Parallel()
	list := ops(t, map[string]string{
		"names":   `query Names { products { id name } }`,
		"price":   `query Price($id: ID!) { product(id: $id) { price } }`,
		"filter":  `query Filtered($f: ProductFilter) { products(filter: $f) { id } }`,
		"restock": `mutation Restock { restock(id: "1", quantity: 2) { id } }`,
	})
	// price removed: breaks Price only; Product.name untouched.
	rep := checkOps(t, strings.Replace(baseTypes, "price: Int ", "", 1), list)
	if !rep.Failed() || len(rep.Breaking) != 1 || rep.Breaking[0].Code != "FIELD_REMOVED" ||
		len(rep.Breaking[0].Operations) != 1 || !strings.HasPrefix(rep.Breaking[0].Operations[0], "Price (") {
		t.Fatalf("price removed:\n%s\nbroken %v", codes(rep.Breaking), rep.Broken)
	}
	if len(rep.Broken) != 1 || rep.Broken[0].Name != "Price" {
		t.Fatalf("Price must fail validation on the new schema: %+v", rep.Broken)
	}

	// A field no listed operation reads is safe to remove.
	rep = checkOps(t, strings.Replace(baseTypes, "type Review @join__type(graph: A) { id: ID! body: String }", "type Review @join__type(graph: A) { id: ID! }", 1), list)
	if rep.Failed() || len(rep.Safe) != 1 || rep.Safe[0].Code != "FIELD_REMOVED" || rep.Safe[0].Coordinate != "Review.body" {
		t.Fatalf("Review.body removed: failed=%v safe=%+v breaking=%s", rep.Failed(), rep.Safe, codes(rep.Breaking))
	}

	// An input field removed reaches the operation that passes the input
	// type through a variable, though its text never names the field.
	rep = checkOps(t, strings.Replace(baseTypes, "inStock: Boolean", "", 1), list)
	if len(rep.Breaking) != 1 || rep.Breaking[0].Code != "INPUT_FIELD_REMOVED" || !strings.HasPrefix(rep.Breaking[0].Operations[0], "Filtered (") {
		t.Fatalf("input field removed: %s", codes(rep.Breaking))
	}
	if len(rep.Broken) != 0 {
		t.Fatalf("Filtered still validates (the break is in its variables): %+v", rep.Broken)
	}

	// A new required argument breaks callers of the field.
	rep = checkOps(t, strings.Replace(baseTypes, "restock(id: ID!, quantity: Int!)", "restock(id: ID!, quantity: Int!, reason: String!)", 1), list)
	if len(rep.Breaking) != 1 || rep.Breaking[0].Code != "REQUIRED_ARGUMENT_ADDED" || !strings.HasPrefix(rep.Breaking[0].Operations[0], "Restock (") {
		t.Fatalf("required argument: %s", codes(rep.Breaking))
	}
}

func TestOperationsEnumsAndUnions(t *testing.T) {
	t.Parallel()
	list := ops(t, map[string]string{
		"status": `query Status { products { status } }`,
		"search": `query Search { search(kind: PRODUCT) { ... on Product { id } } }`,
	})
	// An input enum value no operation writes is safe to remove; an output
	// enum value removed reaches the operation reading the enum.
	newTypes := strings.Replace(strings.Replace(baseTypes, "enum Kind { PRODUCT REVIEW }", "enum Kind { PRODUCT }", 1), "enum Status { ACTIVE ARCHIVED }", "enum Status { ACTIVE }", 1)
	rep := checkOps(t, newTypes, list)
	var status, kind *Impact
	for i := range rep.Breaking {
		switch rep.Breaking[i].Coordinate {
		case "Status.ARCHIVED":
			status = &rep.Breaking[i]
		case "Kind.REVIEW":
			kind = &rep.Breaking[i]
		}
	}
	if status == nil || !strings.HasPrefix(status.Operations[0], "Status (") || kind != nil {
		t.Fatalf("enum removals: breaking %s safe %+v", codes(rep.Breaking), rep.Safe)
	}
	// Dangerous: a value added to an output enum, a member added to a union.
	newTypes = strings.Replace(strings.Replace(baseTypes, "enum Status { ACTIVE ARCHIVED }", "enum Status { ACTIVE ARCHIVED DRAFT }", 1),
		"union Result = Product | Review", "type Video @join__type(graph: A) { id: ID! }\nunion Result = Product | Review | Video", 1)
	rep = checkOps(t, newTypes, list)
	got := codes(rep.Dangerous)
	for _, want := range []string{"ENUM_VALUE_ADDED Status.DRAFT -> Status (", "UNION_MEMBER_ADDED Result -> Search ("} {
		if !strings.Contains(got, want) {
			t.Errorf("dangerous lacks %q:\n%s", want, got)
		}
	}
	if rep.Failed() {
		t.Fatalf("dangerous changes must not fail the check: %s %+v", codes(rep.Breaking), rep.Broken)
	}
}

func TestDangerousChanges(t *testing.T) {
	t.Parallel()
	newTypes := strings.NewReplacer(
		"products(first: Int = 20,", "products(first: Int = 50,",
		"enum Kind { PRODUCT REVIEW }", "enum Kind { PRODUCT REVIEW VIDEO }",
		"type Review @join__type(graph: A) { id: ID! body: String }", "type Review @join__type(graph: A) { id: ID! body: String @authenticated }",
	).Replace(baseTypes)
	got, err := Dangerous(sg(baseTypes), sg(newTypes))
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	for _, c := range got {
		lines = append(lines, c.Code+" "+c.Coordinate)
	}
	want := "ARGUMENT_DEFAULT_CHANGED Query.products(first:)\nAUTHENTICATED_ADDED Review.body"
	if strings.Join(lines, "\n") != want {
		t.Fatalf("dangerous changes:\n%s\nwant (Kind is input-only, so VIDEO is not dangerous):\n%s", strings.Join(lines, "\n"), want)
	}
}

func TestLoadOperationsManifest(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "manifest.json")
	body := `{"format":"apollo-persisted-query-manifest","version":1,"operations":[{"id":"abc","name":"Names","type":"query","body":"query Names { products { id name } }"}]}`
	if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	list, err := LoadOperations(path)
	if err != nil || len(list) != 1 || list[0].Name != "Names" || list[0].Source != path+"#abc" {
		t.Fatalf("manifest: %+v %v", list, err)
	}
	if err := os.WriteFile(path, []byte(`{"format":"other"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadOperations(path); err == nil {
		t.Fatal("want an error for a file that is not a manifest")
	}
	if _, err := LoadOperations(t.TempDir()); err == nil {
		t.Fatal("want an error for a directory without operations")
	}
}

func TestAPISchemaHidesInaccessible(t *testing.T) {
	t.Parallel()
	rep := checkOps(t, baseTypes, ops(t, map[string]string{"secret": `{ products { secret } }`}))
	if len(rep.Stale) != 1 || len(rep.Broken) != 1 {
		t.Fatalf("an operation reading an @inaccessible field must not validate: %+v", rep)
	}
}
