//go:build linux

package playground_test

import (
	"context"
	"encoding/json"
	"slices"
	"testing"
	"time"

	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// moduleCases runs in the page: it loads the schema of the router by
// introspection with the playground's own modules, then asks the
// completion, the validator, the parser and the printer about each case.
const moduleCases = `(async () => {
  const { INTROSPECTION, Schema } = await import("/playground/schema.js");
  const { tryParse, print } = await import("/playground/parser.js");
  const { validate } = await import("/playground/validate.js");
  const { complete } = await import("/playground/completion.js");
  const res = await fetch("/graphql", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ query: INTROSPECTION }) });
  const schema = new Schema((await res.json()).data.__schema);
  const out = {};
  for (const [name, text] of Object.entries(CASES.complete)) {
    const at = text.indexOf("|");
    const r = complete(text.replace("|", ""), at, schema);
    out[name] = r ? r.items.map((i) => i.label) : [];
  }
  for (const [name, text] of Object.entries(CASES.check)) {
    const r = tryParse(text);
    out[name] = r.error ? [r.error.message + " @" + r.error.start] : validate(r.doc, schema).map((d) => d.message);
  }
  for (const [name, text] of Object.entries(CASES.print)) {
    out[name] = [print(tryParse(text).doc)];
  }
  return JSON.stringify(out);
})()`

// TestPlaygroundModulesInChromium checks the editor's language modules
// against the schema a real router introspects.
func TestPlaygroundModulesInChromium(t *testing.T) {
	chrome := chromiumPath()
	if chrome == "" {
		t.Skip("no chromium binary on PATH (apt-get install -y chromium); skipping the browser test")
	}
	cases := map[string]map[string]string{
		"complete": {
			"fields":          "{ products { | } }",
			"field prefix":    "{ products { pr| } }",
			"variable types":  "query Q($x: |) { products { name } }",
			"type condition":  "{ products { ... on | } }",
			"directives":      "{ products { name @| } }",
			"keywords":        "|",
			"declared vars":   "query Q($flag: Boolean!) { products { name @include(if: $|) } }",
			"directive args":  "{ products { name @include(|) } }",
			"inside comment":  "{ products { # na| \n } }",
			"inside a string": "{ products { name @include(if: \"na|\") } }",
		},
		"check": {
			"valid":            "query Products { products { _id name price quantity } }",
			"unknown field":    "{ products { nope } }",
			"no selection":     "{ products }",
			"leaf selection":   "{ products { name { x } } }",
			"unknown argument": "{ products(first: 1) { name } }",
			"unknown type":     "{ products { ... on Nope { name } } }",
			"undefined var":    "query { products { name @include(if: $b) } }",
			"syntax":           "{ products { name }",
			"bad character":    "{ products { name ? } }",
		},
		"print": {
			"prettify": "query Q($a:Int=1){products{name @include(if:true) ...on Product{price}}}",
		},
	}
	want := map[string][]string{
		"fields":           {"_id", "name", "price", "quantity", "__typename"},
		"field prefix":     {"price"},
		"variable types":   {"Boolean", "Float", "ID", "Int", "String"},
		"type condition":   {"Product"},
		"directives":       {"include", "skip", "defer"},
		"keywords":         {"query", "fragment"},
		"declared vars":    {"$flag"},
		"directive args":   {"if"},
		"inside comment":   {},
		"inside a string":  {},
		"valid":            {},
		"unknown field":    {`Cannot query field "nope" on type "Product".`},
		"no selection":     {`Field "products" of type "[Product!]!" must have a selection of subfields.`},
		"leaf selection":   {`Field "name" must not have a selection since type "String!" has no subfields.`},
		"unknown argument": {`Unknown argument "first" on field "Query.products".`},
		"unknown type":     {`Unknown type "Nope".`},
		"undefined var":    {`Variable "$b" is not defined.`},
		"syntax":           {"Syntax Error: Expected Name, found end of document. @19"},
		"bad character":    {`Syntax Error: Unexpected character "?". @18`},
		"prettify":         {"query Q($a: Int = 1) {\n  products {\n    name @include(if: true)\n    ... on Product {\n      price\n    }\n  }\n}\n"},
	}
	url, _, _ := startShop(t)
	bctx := startBrowser(t, chrome)
	ctx, cancel := context.WithTimeout(bctx, 60*time.Second)
	defer cancel()
	casesJSON, err := json.Marshal(cases)
	if err != nil {
		t.Fatal(err)
	}
	var raw string
	err = chromedp.Run(ctx,
		chromedp.Navigate(url+"/"),
		chromedp.WaitVisible("#run", chromedp.ByID),
		chromedp.Evaluate("const CASES = "+string(casesJSON)+";\n"+moduleCases, &raw, func(p *runtime.EvaluateParams) *runtime.EvaluateParams { return p.WithAwaitPromise(true) }),
	)
	if err != nil {
		t.Fatalf("evaluate: %v", err)
	}
	var got map[string][]string
	if err := json.Unmarshal([]byte(raw), &got); err != nil {
		t.Fatalf("%v: %s", err, raw)
	}
	for name, w := range want {
		g := got[name]
		if !sameItems(g, w) {
			t.Errorf("%s: got %q, want %q", name, g, w)
		}
	}
}

// sameItems compares completion lists and diagnostics as sets: the
// order of completions follows the schema's.
func sameItems(got, want []string) bool {
	g, w := slices.Clone(got), slices.Clone(want)
	slices.Sort(g)
	slices.Sort(w)
	return slices.Equal(g, w)
}
