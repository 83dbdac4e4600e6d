package deferred

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

func TestAccepts(t *testing.T) {
	t.Parallel()
	for accept, want := range map[string]bool{
		"multipart/mixed;deferSpec=20220824":                        true,
		"multipart/mixed;deferSpec=20220824, application/json":      true,
		"multipart/mixed; boundary=\"graphql\"; deferSpec=20220824": true,
		"application/json, multipart/mixed;deferSpec=20220824":      true,
		"multipart/mixed":                                        false,
		"multipart/mixed;deferSpec=20990101":                     false,
		"multipart/mixed;subscriptionSpec=1.0, application/json": false,
		"application/json":                                       false,
		"":                                                       false,
	} {
		if got := Accepts(accept); got != want {
			t.Errorf("Accepts(%q) = %v, want %v", accept, got, want)
		}
	}
}

// TestPayloads converts a sequence of engine frames: ids become paths and
// labels, list items get their index, errors the engine repeats on every
// item of a list go once to the item they belong to, and frames with
// nothing for the client are dropped.
func TestPayloads(t *testing.T) {
	t.Parallel()
	var tr Transcoder
	frames := []struct{ in, want string }{
		{`{"errors":[{"message":"x"}],"data":{"a":{"b":[{"id":1},{"id":2}]}},"pending":[{"id":"1","path":["a","b"],"label":"L"},{"id":"2","path":["a"]}],"hasNext":true}`,
			`{"data":{"a":{"b":[{"id":1},{"id":2}]}},"errors":[{"message":"x"}],"hasNext":true}`},
		{`{"incremental":[{"data":{"n":1},"id":"1","subPath":[0],"errors":[{"message":"e","path":["a","b",1,"n"]}]},{"data":{"n":null},"id":"1","subPath":[1],"errors":[{"message":"e","path":["a","b",1,"n"]}]}],"completed":[{"id":"1"}],"pending":[{"id":"3","path":["a","c"]}],"hasNext":true}`,
			`{"hasNext":true,"incremental":[{"data":{"n":1},"path":["a","b",0],"label":"L"},{"data":{"n":null},"path":["a","b",1],"label":"L","errors":[{"message":"e","path":["a","b",1,"n"]}]}]}`},
		{`{"completed":[{"id":"2"}],"hasNext":true}`, ``},
		{`{"completed":[{"id":"3","errors":[{"message":"gone","path":["a","c","x"]}]}],"hasNext":false}`,
			`{"hasNext":false,"incremental":[{"data":null,"path":["a","c"],"errors":[{"message":"gone","path":["a","c","x"]}]}]}`},
	}
	for i, f := range frames {
		got, err := tr.Payload([]byte(f.in))
		if err != nil {
			t.Fatalf("frame %d: %v", i, err)
		}
		if string(got) != f.want {
			t.Errorf("frame %d:\ngot  %s\nwant %s", i, got, f.want)
		}
	}
	if !tr.Done() {
		t.Error("not done after hasNext false")
	}
	if _, err := tr.Payload([]byte(`{"incremental":`)); err == nil {
		t.Error("a malformed frame converted")
	}
}

func TestFullPath(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		fragment []string
		sub      []any
		want     string
	}{
		{[]string{"product"}, nil, "[product]"},
		{[]string{"products"}, []any{0}, "[products 0]"},
		{[]string{"orders", "products"}, []any{1, "products", 2}, "[orders 1 products 2]"},
		{[]string{"product"}, []any{"reviews", 0}, "[product reviews 0]"},
		{[]string{"products"}, []any{0, "reviews", 0}, "[products 0 reviews 0]"},
		{[]string{"product", "reviews"}, []any{0}, "[product reviews 0]"},
	} {
		if got := fmtPath(fullPath(tc.fragment, tc.sub)); got != tc.want {
			t.Errorf("fullPath(%v, %v) = %s, want %s", tc.fragment, tc.sub, got, tc.want)
		}
	}
}

func fmtPath(p []any) string {
	out := "["
	for i, s := range p {
		if i > 0 {
			out += " "
		}
		switch v := s.(type) {
		case string:
			out += v
		case int:
			out += string(rune('0' + v))
		}
	}
	return out + "]"
}

// TestMultipart checks the bytes of a stream: each part followed at once
// by the next delimiter, the closing one after the last, and a stream
// closed without a last part ended with one.
func TestMultipart(t *testing.T) {
	t.Parallel()
	rec := httptest.NewRecorder()
	m := NewMultipart(rec)
	if err := m.Close(); err != nil || rec.Body.Len() != 0 || m.Started() {
		t.Fatalf("close before any part wrote %q (%v)", rec.Body.String(), err)
	}
	if err := m.WritePart([]byte(`{"data":{},"hasNext":true}`), false); err != nil {
		t.Fatal(err)
	}
	if !rec.Flushed {
		t.Error("first part not flushed")
	}
	want := "\r\n--graphql\r\ncontent-type: application/json; charset=utf-8\r\n\r\n" + `{"data":{},"hasNext":true}` + "\r\n--graphql\r\n"
	if rec.Body.String() != want {
		t.Fatalf("after the first part %q", rec.Body.String())
	}
	if err := m.Close(); err != nil {
		t.Fatal(err)
	}
	want += "content-type: application/json; charset=utf-8\r\n\r\n" + `{"hasNext":false}` + "\r\n--graphql--\r\n"
	if rec.Body.String() != want {
		t.Fatalf("after close %q", rec.Body.String())
	}
	if ct := rec.Result().Header.Get("Content-Type"); ct != `multipart/mixed;boundary="graphql";deferSpec=20220824` || rec.Code != http.StatusOK {
		t.Errorf("status %d, content type %q", rec.Code, ct)
	}
	if err := m.WritePart([]byte(`{}`), true); err == nil {
		t.Error("a part after the end was written")
	}
}
