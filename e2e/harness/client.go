package harness

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"time"
)

// Client sends GraphQL requests to one endpoint, as any HTTP client would.
type Client struct {
	URL  string
	HTTP *http.Client
}

// NewClient returns a client for url with a generous timeout and enough
// idle connections for hundreds of concurrent callers.
func NewClient(url string) *Client {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConnsPerHost = 256
	return &Client{URL: url, HTTP: &http.Client{Timeout: 60 * time.Second, Transport: tr}}
}

// Error is one GraphQL error.
type Error struct {
	Message    string         `json:"message"`
	Path       []any          `json:"path"`
	Extensions map[string]any `json:"extensions"`
}

// Code is extensions.code ("" when absent).
func (e Error) Code() string {
	c, _ := e.Extensions["code"].(string)
	return c
}

// Response is a GraphQL response with its HTTP status and raw body.
type Response struct {
	Status int
	Header http.Header
	Body   []byte
	Data   json.RawMessage `json:"data"`
	Errors []Error         `json:"errors"`
}

// Codes lists the extensions.code of every error.
func (r *Response) Codes() []string {
	out := make([]string, 0, len(r.Errors))
	for _, e := range r.Errors {
		out = append(out, e.Code())
	}
	return out
}

// HasCode reports whether some error carries code.
func (r *Response) HasCode(code string) bool {
	for _, e := range r.Errors {
		if e.Code() == code {
			return true
		}
	}
	return false
}

// Decode unmarshals data into v.
func (r *Response) Decode(v any) error {
	if len(r.Data) == 0 || string(r.Data) == "null" {
		return fmt.Errorf("no data: %s", r.Body)
	}
	if err := json.Unmarshal(r.Data, v); err != nil {
		return fmt.Errorf("decode data: %w: %s", err, r.Data)
	}
	return nil
}

// Do posts a query with variables and extra headers.
func (c *Client) Do(ctx context.Context, query string, vars map[string]any, headers map[string]string) (*Response, error) {
	body, err := json.Marshal(map[string]any{"query": query, "variables": vars})
	if err != nil {
		return nil, fmt.Errorf("encode request: %w", err)
	}
	h := map[string]string{"Content-Type": "application/json"}
	for k, v := range headers {
		h[k] = v
	}
	r, err := c.Raw(ctx, http.MethodPost, "", bytes.NewReader(body), h)
	c.record(query, r)
	return r, err
}

// Raw sends any body with any headers; query is appended to the URL (for
// GET). The response is parsed as GraphQL when it is JSON.
func (c *Client) Raw(ctx context.Context, method, query string, body io.Reader, headers map[string]string) (*Response, error) {
	req, err := http.NewRequestWithContext(ctx, method, c.URL+query, body)
	if err != nil {
		return nil, fmt.Errorf("new request: %w", err)
	}
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := c.HTTP.Do(req)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", method, c.URL, err)
	}
	defer resp.Body.Close() //nolint:errcheck // read fully below
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 32<<20))
	if err != nil {
		return nil, fmt.Errorf("read response: %w", err)
	}
	r := &Response{Status: resp.StatusCode, Header: resp.Header, Body: raw}
	_ = json.Unmarshal(raw, r) //nolint:errcheck // non-JSON bodies stay in Body
	return r, nil
}

// Bearer returns the Authorization header for a token.
func Bearer(token string) map[string]string {
	return map[string]string{"Authorization": "Bearer " + token}
}
