package harness

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
)

// Subscribe starts a GraphQL subscription over SSE (GraphQL over SSE,
// distinct connections) and sends every `next` payload on the returned
// channel until the server completes the stream, ctx ends or the
// connection fails; the channel is closed then. It returns once the
// server accepted the stream (status 200, text/event-stream).
func (c *Client) Subscribe(ctx context.Context, query string, vars map[string]any, headers map[string]string) (<-chan *Response, error) {
	body, err := json.Marshal(map[string]any{"query": query, "variables": vars})
	if err != nil {
		return nil, fmt.Errorf("subscribe: encode: %w", err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.URL, bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("subscribe: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "text/event-stream")
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	// The stream outlives the client's request timeout; ctx bounds it.
	hc := &http.Client{Transport: c.HTTP.Transport}
	resp, err := hc.Do(req) //nolint:bodyclose // closed when refused, else by the reading goroutine
	if err != nil {
		return nil, fmt.Errorf("subscribe: %w", err)
	}
	if ct := resp.Header.Get("Content-Type"); resp.StatusCode != http.StatusOK || !strings.HasPrefix(ct, "text/event-stream") {
		var b bytes.Buffer
		_, _ = b.ReadFrom(resp.Body) //nolint:errcheck // for the message only
		resp.Body.Close()            //nolint:errcheck,gosec // refused
		return nil, fmt.Errorf("subscribe: status %d, content type %q: %s", resp.StatusCode, ct, b.String())
	}
	out := make(chan *Response, 16)
	go func() {
		defer close(out)
		defer resp.Body.Close() //nolint:errcheck // stream over
		sc := bufio.NewScanner(resp.Body)
		sc.Buffer(make([]byte, 64<<10), 4<<20)
		event, data := "", ""
		for sc.Scan() {
			line := sc.Text()
			switch {
			case strings.HasPrefix(line, "event:"):
				event = strings.TrimSpace(strings.TrimPrefix(line, "event:"))
			case strings.HasPrefix(line, "data:"):
				data += strings.TrimSpace(strings.TrimPrefix(line, "data:"))
			case line == "":
				if event == "complete" {
					return
				}
				if event == "next" && data != "" {
					r := &Response{Status: resp.StatusCode, Header: resp.Header, Body: []byte(data)}
					_ = json.Unmarshal(r.Body, r) //nolint:errcheck // kept raw in Body
					select {
					case out <- r:
					case <-ctx.Done():
						return
					}
				}
				event, data = "", ""
			}
		}
	}()
	return out, nil
}
