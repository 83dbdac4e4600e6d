package engine

import (
	"bytes"
	"compress/flate"
	"compress/gzip"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/shopsupergraph/shop/router/internal/engine/enginetest"
)

// compressed serves body encoded with enc (gzip or deflate) to every request.
func compressed(t *testing.T, enc string, body []byte) *httptest.Server {
	t.Helper()
	var b bytes.Buffer
	var zw io.WriteCloser
	if enc == "deflate" {
		zw, _ = flate.NewWriter(&b, flate.BestCompression)
	} else {
		zw, _ = gzip.NewWriterLevel(&b, gzip.BestCompression)
	}
	_, _ = zw.Write(body)
	_ = zw.Close()
	wire := b.Bytes()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Content-Encoding", enc)
		_, _ = w.Write(wire)
	}))
	t.Cleanup(srv.Close)
	return srv
}

// bomb is a valid JSON answer of n bytes that compresses to a few hundred.
func bomb(n int) []byte {
	return []byte(`{"data":{"products":[{"id":"1"}]}` + strings.Repeat(" ", n) + `}`)
}

func TestResponseCapCountsDecompressedBytes(t *testing.T) {
	t.Parallel()
	const limit = 4 << 10
	for _, enc := range []string{"gzip", "deflate"} {
		t.Run(enc, func(t *testing.T) {
			t.Parallel()
			small := []byte(`{"data":{"products":[{"id":"1"}]}}`)
			for _, tc := range []struct {
				name    string
				body    []byte
				wantErr bool
			}{
				{"bomb", bomb(200 << 10), true},
				{"just over", bomb(limit), true},
				{"within", small, false},
			} {
				srv := compressed(t, enc, tc.body)
				client := newHTTPClient(HTTPOptions{MaxResponseBytes: limit})
				req, _ := http.NewRequestWithContext(context.Background(), http.MethodPost, srv.URL, strings.NewReader(`{}`))
				// graphql-go-tools asks for compression itself and decodes
				// what it gets unless Content-Encoding was removed.
				req.Header.Set("Accept-Encoding", "gzip, deflate")
				resp, err := client.Do(req)
				if err != nil {
					t.Fatalf("%s: %v", tc.name, err)
				}
				got, err := io.ReadAll(resp.Body)
				_ = resp.Body.Close()
				if tc.wantErr {
					if !errors.Is(err, ErrResponseTooLarge) {
						t.Fatalf("%s: read %d bytes, err %v; want ErrResponseTooLarge", tc.name, len(got), err)
					}
					if len(got) > limit {
						t.Fatalf("%s: %d bytes read past the %d cap", tc.name, len(got), limit)
					}
					continue
				}
				if err != nil || !bytes.Equal(got, tc.body) || resp.Header.Get("Content-Encoding") != "" {
					t.Fatalf("%s: got %q (%v), Content-Encoding %q; want the decoded body", tc.name, got, err, resp.Header.Get("Content-Encoding"))
				}
			}
		})
	}
}

// TestGzipBombFailsTheFetch sends a 258-byte gzip body that decompresses to
// 200 KB through a 4 KB cap: the fetch fails as for any oversized answer.
func TestGzipBombFailsTheFetch(t *testing.T) {
	t.Parallel()
	srv := compressed(t, "gzip", bomb(200<<10))
	e := newTestEngine(t, &enginetest.Subgraphs{}, func(o *Options) {
		o.HTTP.MaxResponseBytes = 4 << 10
		o.SubgraphURLs = map[string]string{"a": srv.URL, "b": srv.URL}
	})
	var buf bytes.Buffer
	if err := e.Execute(context.Background(), &Request{Query: `{ products { id } }`}, nil, &buf, ExecOptions{}); err != nil {
		t.Fatal(err)
	}
	if got := buf.String(); !strings.Contains(got, `"errors"`) || !strings.Contains(got, `"data":null`) {
		t.Fatalf("want a fetch error for the oversized response, got %s", got)
	}
}
