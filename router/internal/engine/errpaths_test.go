package engine

import (
	"bytes"
	"testing"
)

func TestRewriteErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, in string
		entries  [][][]any
		want     string
	}{
		{
			name:    "entity error takes its recorded paths, one copy per path",
			in:      `{"errors":[{"message":"boom","path":["_entities",1,"price"],"extensions":{"code":"X"}}],"data":{"products":[{"price":1},{"price":null},{"price":null}]}}`,
			entries: [][][]any{{{"products", 1, "price"}, {"products", 2, "price"}}},
			want:    `{"errors":[{"message":"boom","path":["products",1,"price"],"extensions":{"code":"X"}},{"message":"boom","path":["products",2,"price"],"extensions":{"code":"X"}}],"data":{"products":[{"price":1},{"price":null},{"price":null}]}}`,
		},
		{
			name:    "entity errors are matched in order",
			in:      `{"errors":[{"message":"a","path":["_entities",0]},{"message":"root","path":["me"],"extensions":{"code":"C"}},{"message":"b","path":["_entities",0,"x"]}],"data":null}`,
			entries: [][][]any{{{"products", 3}}, {{"me", "friends", 0, "x"}}},
			want:    `{"errors":[{"message":"a","path":["products",3]},{"message":"root","path":["me"],"extensions":{"code":"C"}},{"message":"b","path":["me","friends",0,"x"]}],"data":null}`,
		},
		{
			name: "completion error explained by a subgraph error is dropped",
			in: `{"errors":[{"message":"score unavailable","path":["_entities",1,"score"],"extensions":{"code":"S"}},` +
				`{"message":"any text","path":["products",1,"score"]},{"message":"other","path":["products",0,"score"]}],"data":null}`,
			entries: [][][]any{{{"products", 1, "score"}}},
			want:    `{"errors":[{"message":"score unavailable","path":["products",1,"score"],"extensions":{"code":"S"}},{"message":"other","path":["products",0,"score"]}],"data":null}`,
		},
		{
			name:    "no entry left: the index is dropped, never sent as _entities",
			in:      `{"errors":[{"message":"x","path":["_entities",0,"price"]}],"data":null}`,
			entries: nil,
			want:    `{"errors":[{"message":"x","path":["price"]}],"data":null}`,
		},
		{
			name:    "strings with brackets and escapes do not end a value",
			in:      `{"errors":[{"message":"a \\\"]},{ \\\\","path":["_entities",0,"price"],"extensions":{"x":[1,{"y":"]"}],"n":-1.5e3}}],"data":{"p":"]"}}`,
			entries: [][][]any{{{"p", 2, "price"}}},
			want:    `{"errors":[{"message":"a \\\"]},{ \\\\","path":["p",2,"price"],"extensions":{"x":[1,{"y":"]"}],"n":-1.5e3}}],"data":{"p":"]"}}`,
		},
		{
			name: "unrelated errors untouched",
			in:   `{"errors":[{"message":"x","path":["me"],"extensions":{"code":"C"}}],"data":{"me":null}}`,
			want: `{"errors":[{"message":"x","path":["me"],"extensions":{"code":"C"}}],"data":{"me":null}}`,
		},
		{
			name: "not an errors response",
			in:   `{"data":{"me":null}}`,
			want: `{"data":{"me":null}}`,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			buf := bytes.NewBufferString(tc.in)
			rewriteErrors(buf, tc.entries)
			if buf.String() != tc.want {
				t.Fatalf("got  %s\nwant %s", buf.String(), tc.want)
			}
		})
	}
}
