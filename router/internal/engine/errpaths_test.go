package engine

import (
	"bytes"
	"testing"
)

func TestMarkErrorIndices(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{`{"data":{"_entities":[null]},"errors":[{"message":"x","path":["_entities",0,"price"]}]}`,
			`{"data":{"_entities":[null]},"errors":[{"message":"x","path":["_entities",0,"\u001f#0","price"]}]}`},
		{`{"errors":[{"message":"no path"}],"data":null}`, ""},
		{`{"errors":[{"message":"root","path":["me"]}],"data":{"me":null}}`, ""},
		{`not json "errors"`, ""},
	}
	for _, tc := range tests {
		out, ok := markErrorIndices([]byte(tc.in))
		if tc.want == "" {
			if ok {
				t.Errorf("%s: changed to %s", tc.in, out)
			}
			continue
		}
		if !ok || string(out) != tc.want {
			t.Errorf("%s:\ngot  %s\nwant %s", tc.in, out, tc.want)
		}
	}
}

func TestFixErrorPaths(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, in, want string }{
		{
			name: "entity error mapped to its list element",
			in:   `{"errors":[{"message":"boom","path":["products","\u001f#1","rating"]}],"data":{"products":[{"rating":1},{"rating":null}]}}`,
			want: `{"errors":[{"message":"boom","path":["products",1,"rating"]}],"data":{"products":[{"rating":1},{"rating":null}]}}`,
		},
		{
			name: "nested lists are flattened in document order",
			in:   `{"errors":[{"message":"boom","path":["a","b","\u001f#2"]}],"data":{"a":[{"b":[{},{}]},{"b":[{}]}]}}`,
			want: `{"errors":[{"message":"boom","path":["a",1,"b",0]}],"data":{"a":[{"b":[{},{}]},{"b":[{}]}]}}`,
		},
		{
			name: "root fetch path keeps its index, marker dropped",
			in:   `{"errors":[{"message":"boom","path":["products",1,"\u001f#1","name"]}],"data":{"products":[{"name":"a"},{"name":null}]}}`,
			want: `{"errors":[{"message":"boom","path":["products",1,"name"]}],"data":{"products":[{"name":"a"},{"name":null}]}}`,
		},
		{
			name: "violation explained by a subgraph error is dropped; nulled data keeps the index",
			in: `{"errors":[{"message":"score unavailable","path":["products","\u001f#1","score"]},` +
				`{"message":"Cannot return null for non-nullable field 'Query.products.score'.","path":["products",1,"score"]}],"data":null}`,
			want: `{"errors":[{"message":"score unavailable","path":["products",1,"score"]}],"data":null}`,
		},
		{
			name: "unrelated errors untouched",
			in:   `{"errors":[{"message":"x","path":["me"],"extensions":{"code":"C"}}],"data":{"me":null}}`,
			want: `{"errors":[{"message":"x","path":["me"],"extensions":{"code":"C"}}],"data":{"me":null}}`,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			buf := bytes.NewBufferString(tc.in)
			fixErrorPaths(buf)
			if buf.String() != tc.want {
				t.Fatalf("got  %s\nwant %s", buf.String(), tc.want)
			}
		})
	}
}
