// Package gql is a minimal GraphQL-over-HTTP client for load runs: one
// POST per operation, the response decoded into raw data plus the errors'
// extensions.code, and failures below GraphQL (transport, HTTP status,
// malformed body) turned into codes of their own so a run can count them.
package gql

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"
)

// Codes for failures that carry no GraphQL extensions.code.
const (
	CodeTransport = "TRANSPORT"      // the request did not complete
	CodeBadBody   = "BAD_RESPONSE"   // the body was not a GraphQL response
	CodeNoCode    = "NO_CODE"        // a GraphQL error without extensions.code
	CodeHTTP      = "HTTP_"          // prefix of a non-200 status without GraphQL errors
	CodeNoData    = "NO_DATA"        // neither data nor errors
	CodeCanceled  = "CANCELED"       // the caller's context ended
	CodeTimeout   = "CLIENT_TIMEOUT" // the client's own deadline passed
)

// Client posts operations to one GraphQL endpoint.
type Client struct {
	URL  string
	HTTP *http.Client
}

// NewClient returns a client whose transport keeps up to conns idle
// connections, so closed-loop workers reuse theirs instead of dialing.
func NewClient(url string, conns int, timeout time.Duration) *Client {
	tr := http.DefaultTransport.(*http.Transport).Clone() //nolint:forcetypeassert // the default is always *http.Transport
	tr.MaxIdleConns = conns * 2
	tr.MaxIdleConnsPerHost = conns * 2
	return &Client{URL: url, HTTP: &http.Client{Transport: tr, Timeout: timeout}}
}

// Error is one GraphQL error.
type Error struct {
	Message    string `json:"message"`
	Extensions struct {
		Code string `json:"code"`
	} `json:"extensions"`
}

// Response is a decoded GraphQL response.
type Response struct {
	Data   json.RawMessage `json:"data"`
	Errors []Error         `json:"errors"`
	Status int             `json:"-"`
}

// Code returns the first error's extensions.code, CodeNoCode when it has
// none, or "" for a response without errors.
func (r *Response) Code() string {
	if len(r.Errors) == 0 {
		if r.Status != http.StatusOK {
			return fmt.Sprintf("%s%d", CodeHTTP, r.Status)
		}
		if len(r.Data) == 0 || string(r.Data) == "null" {
			return CodeNoData
		}
		return ""
	}
	if c := r.Errors[0].Extensions.Code; c != "" {
		return c
	}
	return CodeNoCode
}

// Err returns the response's failure as an error, or nil.
func (r *Response) Err() error {
	code := r.Code()
	if code == "" {
		return nil
	}
	msg := ""
	if len(r.Errors) > 0 {
		msg = r.Errors[0].Message
	}
	return &CodeError{Code: code, Msg: msg}
}

// CodeError is a failure with its code.
type CodeError struct {
	Code string
	Msg  string
}

func (e *CodeError) Error() string { return e.Code + ": " + e.Msg }

// Do posts one operation. A non-nil error means no GraphQL response was
// read; it is a *CodeError whose code says why.
func (c *Client) Do(ctx context.Context, query string, vars map[string]any, header http.Header) (*Response, error) {
	body, err := json.Marshal(struct {
		Query     string         `json:"query"`
		Variables map[string]any `json:"variables,omitempty"`
	}{query, vars})
	if err != nil {
		return nil, &CodeError{Code: CodeBadBody, Msg: "encode request: " + err.Error()}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.URL, bytes.NewReader(body))
	if err != nil {
		return nil, &CodeError{Code: CodeTransport, Msg: "build request: " + err.Error()}
	}
	req.Header.Set("Content-Type", "application/json")
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := c.HTTP.Do(req)
	if err != nil {
		switch {
		case ctx.Err() != nil:
			return nil, &CodeError{Code: CodeCanceled, Msg: err.Error()}
		case isTimeout(err):
			return nil, &CodeError{Code: CodeTimeout, Msg: err.Error()}
		}
		return nil, &CodeError{Code: CodeTransport, Msg: err.Error()}
	}
	defer resp.Body.Close() //nolint:errcheck // read fully below
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, &CodeError{Code: CodeTransport, Msg: "read response: " + err.Error()}
	}
	out := &Response{Status: resp.StatusCode}
	if err := json.Unmarshal(data, out); err != nil {
		if resp.StatusCode != http.StatusOK {
			return nil, &CodeError{Code: fmt.Sprintf("%s%d", CodeHTTP, resp.StatusCode), Msg: truncate(data)}
		}
		return nil, &CodeError{Code: CodeBadBody, Msg: truncate(data)}
	}
	return out, nil
}

// Call posts one operation and decodes its data into out, failing on any
// GraphQL error; seeding and checks use it, where every error is fatal.
func (c *Client) Call(ctx context.Context, query string, vars map[string]any, header http.Header, out any) error {
	resp, err := c.Do(ctx, query, vars, header)
	if err != nil {
		return err
	}
	if err := resp.Err(); err != nil {
		return err
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(resp.Data, out); err != nil {
		return fmt.Errorf("decode data: %w", err)
	}
	return nil
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

func truncate(b []byte) string {
	if len(b) > 200 {
		return string(b[:200]) + "..."
	}
	return string(b)
}
