package subload

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/coder/websocket"
)

// openWS opens one graphql-transport-ws connection carrying n
// subscriptions; it returns once the server acknowledged the connection
// and every subscribe message is sent. The connection lives until
// streamCtx ends; done receives the reason it ended.
func (r *Runner) openWS(ctx, streamCtx context.Context, productID string, n int, deliver func(id string, q int, at time.Time)) (func() error, error) {
	url := "ws" + strings.TrimPrefix(r.URL, "http")
	c, resp, err := websocket.Dial(ctx, url, &websocket.DialOptions{Subprotocols: []string{"graphql-transport-ws"}, HTTPClient: r.Streams})
	if resp != nil && resp.Body != nil {
		_ = resp.Body.Close() //nolint:errcheck // the upgrade answer has no body worth reading
	}
	if err != nil {
		if resp != nil {
			return nil, fmt.Errorf("open: HTTP %d", resp.StatusCode)
		}
		return nil, fmt.Errorf("open: transport")
	}
	c.SetReadLimit(1 << 20)
	fail := func(msg string) (func() error, error) {
		_ = c.Close(websocket.StatusNormalClosure, "") //nolint:errcheck // already failing
		return nil, fmt.Errorf("open: %s", msg)
	}
	if err := c.Write(ctx, websocket.MessageText, []byte(`{"type":"connection_init"}`)); err != nil {
		return fail("connection_init")
	}
	_, ack, err := c.Read(ctx)
	if err != nil || !strings.Contains(string(ack), `"connection_ack"`) {
		return fail("no connection_ack")
	}
	for i := range n {
		msg, err := json.Marshal(map[string]any{"id": strconv.Itoa(i + 1), "type": "subscribe", "payload": map[string]any{
			"query": subscription, "variables": map[string]any{"id": productID},
		}})
		if err != nil {
			return fail("encode")
		}
		if err := c.Write(ctx, websocket.MessageText, msg); err != nil {
			return fail("subscribe")
		}
	}
	return func() error {
		defer c.Close(websocket.StatusNormalClosure, "") //nolint:errcheck // the run is over
		for {
			_, b, err := c.Read(streamCtx)
			if err != nil {
				return err
			}
			var m struct {
				ID      string          `json:"id"`
				Type    string          `json:"type"`
				Payload json.RawMessage `json:"payload"`
			}
			if json.Unmarshal(b, &m) != nil {
				continue
			}
			switch m.Type {
			case "next":
				if q, ok := quantityOf(m.Payload); ok {
					deliver(m.ID, q, time.Now())
				}
			case "ping":
				if err := c.Write(streamCtx, websocket.MessageText, []byte(`{"type":"pong"}`)); err != nil {
					return err
				}
			case "error", "complete":
				return fmt.Errorf("subscription ended: %s", m.Type)
			}
		}
	}, nil
}
