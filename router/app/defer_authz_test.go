package app_test

import (
	"encoding/json"
	"net/http"
	"reflect"
	"strings"
	"testing"
)

// TestDeferAuthorization runs a deferred fragment holding a field the
// client may not see: the field is filtered before planning, so the
// subgraph never gets it, and the parts merged give what the same query
// gives inline (data and errors). With the scope, the fragment is
// delivered whole in the later part.
func TestDeferAuthorization(t *testing.T) {
	t.Parallel()
	url, sgs, key := authzRouter(t, nil)
	const q = `{ products { id ... @defer(label: "stock") { inStock quantity } } }`
	for _, tc := range []struct {
		name, auth string
		inDeferred bool // quantity arrives in the deferred part
	}{
		{"anonymous", "", false},
		{"scoped", bearer(t, key, map[string]any{"scope": "inventory:read"}), true},
	} {
		status, inline := postRaw(t, url, q, tc.auth, "application/json")
		if status != http.StatusOK {
			t.Fatalf("%s inline: HTTP %d %s", tc.name, status, inline)
		}
		calls(sgs)
		status, body := postRaw(t, url, q, tc.auth, acceptDefer)
		if status != http.StatusOK {
			t.Fatalf("%s: HTTP %d %s", tc.name, status, body)
		}
		inventory := sgs["inventory"].Requests()
		if len(inventory) != 1 || strings.Contains(inventory[0].Query, "quantity") != tc.inDeferred {
			t.Fatalf("%s: inventory requests %+v", tc.name, inventory)
		}
		parts := checkParts(t, tc.name, `multipart/mixed;boundary="graphql";deferSpec=20220824`, []byte(body))
		merged := mergeParts(t, parts)
		var want map[string]any
		if err := json.Unmarshal([]byte(inline), &want); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(merged, want) {
			t.Errorf("%s: merged parts\n%v\ninline\n%v", tc.name, merged, want)
		}
		last, _ := json.Marshal(parts[len(parts)-1])
		if got := strings.Contains(string(last), `"quantity"`); got != tc.inDeferred {
			t.Errorf("%s: quantity in the deferred part: %v: %s", tc.name, got, last)
		}
	}
}

// mergeParts applies the incremental items of later parts to the first
// part's data and gathers every error, as a client does.
func mergeParts(t *testing.T, parts []map[string]any) map[string]any {
	t.Helper()
	data, _ := parts[0]["data"].(map[string]any)
	errs, _ := parts[0]["errors"].([]any)
	for _, p := range parts[1:] {
		items, _ := p["incremental"].([]any)
		for _, it := range items {
			item, _ := it.(map[string]any)
			var at any = data
			path, _ := item["path"].([]any)
			for _, seg := range path {
				switch s := seg.(type) {
				case string:
					at = at.(map[string]any)[s]
				case float64:
					at = at.([]any)[int(s)]
				}
			}
			target, ok := at.(map[string]any)
			if !ok {
				t.Fatalf("incremental path %v is not an object", path)
			}
			if d, ok := item["data"].(map[string]any); ok {
				for k, v := range d {
					target[k] = v
				}
			}
			if e, ok := item["errors"].([]any); ok {
				errs = append(errs, e...)
			}
		}
	}
	out := map[string]any{"data": data}
	if len(errs) > 0 {
		out["errors"] = errs
	}
	return out
}
