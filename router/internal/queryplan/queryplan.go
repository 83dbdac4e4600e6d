// Package queryplan returns the query plan of an operation alongside its
// result when the client asks with a request header and the router allows
// it (off by default: plans reveal the subgraph topology).
package queryplan

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strconv"

	"github.com/shopsupergraph/shop/router/internal/reqinfo"
)

// DefaultHeader is the request header that asks for the plan.
const DefaultHeader = "X-Query-Plan"

// Requested reports whether r asks for the plan through header.
func Requested(r *http.Request, header string) bool {
	v := r.Header.Get(header)
	if v == "" {
		return false
	}
	b, err := strconv.ParseBool(v)
	return err != nil || b
}

// Middleware buffers the responses of requests that ask for the plan and
// adds extensions.queryPlan (filled into reqinfo by the request hook) to
// them. Other requests pass through untouched.
func Middleware(header string, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !Requested(r, header) {
			next.ServeHTTP(w, r)
			return
		}
		ctx, info := reqinfo.With(r.Context())
		buf := &bufferedWriter{header: w.Header()}
		next.ServeHTTP(buf, r.WithContext(ctx))
		body := buf.body.Bytes()
		if info.QueryPlan != nil {
			if merged, err := addExtension(body, "queryPlan", info.QueryPlan); err == nil {
				body = merged
				w.Header().Del("Content-Length")
			}
		}
		if buf.status != 0 {
			w.WriteHeader(buf.status)
		}
		_, _ = w.Write(body)
	})
}

type bufferedWriter struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (b *bufferedWriter) Header() http.Header { return b.header }

func (b *bufferedWriter) WriteHeader(status int) {
	if b.status == 0 {
		b.status = status
	}
}

func (b *bufferedWriter) Write(p []byte) (int, error) { return b.body.Write(p) }

// addExtension sets extensions[key] = value in a GraphQL response object,
// keeping the other members (and extensions) as they are.
func addExtension(body []byte, key string, value any) ([]byte, error) {
	var resp map[string]json.RawMessage
	if err := json.Unmarshal(body, &resp); err != nil {
		return nil, err
	}
	ext := map[string]json.RawMessage{}
	if raw, ok := resp["extensions"]; ok {
		if err := json.Unmarshal(raw, &ext); err != nil {
			return nil, err
		}
	}
	v, err := json.Marshal(value)
	if err != nil {
		return nil, err
	}
	ext[key] = v
	if resp["extensions"], err = json.Marshal(ext); err != nil {
		return nil, err
	}
	return marshalOrdered(resp)
}

// marshalOrdered writes errors, data, extensions first, in the order the
// GraphQL spec recommends, then any other member.
func marshalOrdered(resp map[string]json.RawMessage) ([]byte, error) {
	var out bytes.Buffer
	out.WriteByte('{')
	first := true
	write := func(k string, v json.RawMessage) {
		if !first {
			out.WriteByte(',')
		}
		first = false
		kb, _ := json.Marshal(k)
		out.Write(kb)
		out.WriteByte(':')
		out.Write(v)
	}
	for _, k := range []string{"errors", "data", "extensions"} {
		if v, ok := resp[k]; ok {
			write(k, v)
			delete(resp, k)
		}
	}
	for k, v := range resp {
		write(k, v)
	}
	out.WriteByte('}')
	return out.Bytes(), nil
}
