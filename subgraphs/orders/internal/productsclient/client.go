// Package productsclient calls the products service's internal reservation
// API (platform/inventoryapi). Every call has a per-attempt timeout and a
// bounded number of attempts; reserve and release are idempotent by order
// id at products, so retrying them after a lost answer is safe. Failures to
// reach products surface as ordering.ErrUnavailable, fast.
package productsclient

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/shopsupergraph/shop/platform/inventoryapi"
	"github.com/shopsupergraph/shop/subgraphs/orders/internal/ordering"
)

// Config configures a Client.
type Config struct {
	// BaseURL is products' internal address, e.g. http://localhost:4002.
	BaseURL string
	// Token is the shared service credential sent as X-Service-Token.
	Token string
	// Timeout bounds one attempt (default 5 s); the caller's context
	// bounds the whole call.
	Timeout time.Duration
	// Attempts bounds the tries per call (default 3).
	Attempts int
	// Backoff is the pause before the second attempt, doubled after (default 100 ms).
	Backoff time.Duration
	// HTTP is the transport client (default: a fresh http.Client).
	HTTP *http.Client
}

// Client implements ordering.Inventory over HTTP.
type Client struct {
	cfg Config
}

// New returns a client; it validates nothing until the first call so the
// orders service starts even while products is down.
func New(cfg Config) *Client {
	if cfg.Timeout <= 0 {
		cfg.Timeout = 5 * time.Second
	}
	if cfg.Attempts <= 0 {
		cfg.Attempts = 3
	}
	if cfg.Backoff <= 0 {
		cfg.Backoff = 100 * time.Millisecond
	}
	if cfg.HTTP == nil {
		cfg.HTTP = &http.Client{}
	}
	cfg.BaseURL = strings.TrimRight(cfg.BaseURL, "/")
	return &Client{cfg: cfg}
}

// Reserve reserves every line for orderID, or none.
func (c *Client) Reserve(ctx context.Context, orderID string, lines []ordering.Line) (ordering.Reservation, error) {
	return c.ReserveHeld(ctx, orderID, "", lines)
}

// ReserveHeld reserves every line for orderID, or none, converting first
// the units hold holdID keeps (a checkout); an empty holdID is Reserve.
func (c *Client) ReserveHeld(ctx context.Context, orderID, holdID string, lines []ordering.Line) (ordering.Reservation, error) {
	req := inventoryapi.ReserveRequest{OrderID: orderID, HoldID: holdID, Lines: make([]inventoryapi.Line, len(lines))}
	for i, l := range lines {
		req.Lines[i] = inventoryapi.Line{ProductID: l.ProductID, VariantID: l.VariantID, Quantity: l.Quantity}
	}
	body, err := json.Marshal(req)
	if err != nil {
		return ordering.Reservation{}, fmt.Errorf("reserve stock: %w", err)
	}
	status, resp, err := c.do(ctx, http.MethodPost, inventoryapi.PathReservations, body)
	if err != nil {
		return ordering.Reservation{}, fmt.Errorf("reserve stock: %w", err)
	}
	switch status {
	case http.StatusOK:
		r, err := decodeReservation(resp)
		if err != nil {
			return ordering.Reservation{}, fmt.Errorf("reserve stock: %w", err)
		}
		if r.Status == inventoryapi.StatusRejected && r.Err != nil {
			return ordering.Reservation{}, r.Err
		}
		return r, nil
	case http.StatusConflict, http.StatusNotFound, http.StatusBadRequest:
		return ordering.Reservation{}, problemError(status, resp)
	default:
		return ordering.Reservation{}, unexpected("reserve stock", status, resp)
	}
}

// Release gives back whatever products holds for orderID. A 404 (products
// never reserved anything for the order) counts as done.
func (c *Client) Release(ctx context.Context, orderID string) error {
	path := inventoryapi.PathReservations + "/" + url.PathEscape(orderID) + "/release"
	status, resp, err := c.do(ctx, http.MethodPost, path, nil)
	if err != nil {
		return fmt.Errorf("release stock: %w", err)
	}
	switch {
	case status == http.StatusOK, isNotFound(status, resp):
		return nil
	default:
		return unexpected("release stock", status, resp)
	}
}

// Lookup returns products' reservation for orderID; found is false when
// products never heard of the order.
func (c *Client) Lookup(ctx context.Context, orderID string) (ordering.Reservation, bool, error) {
	status, resp, err := c.do(ctx, http.MethodGet, inventoryapi.PathReservations+"/"+url.PathEscape(orderID), nil)
	if err != nil {
		return ordering.Reservation{}, false, fmt.Errorf("lookup reservation: %w", err)
	}
	switch status {
	case http.StatusOK:
		r, err := decodeReservation(resp)
		if err != nil {
			return ordering.Reservation{}, false, fmt.Errorf("lookup reservation: %w", err)
		}
		return r, true, nil
	default:
		if isNotFound(status, resp) {
			return ordering.Reservation{}, false, nil
		}
		return ordering.Reservation{}, false, unexpected("lookup reservation", status, resp)
	}
}

// do sends one request with bounded retries. Transport errors, timeouts
// and 5xx answers are retried (every call is idempotent at products, so an
// attempt whose answer was lost may be repeated); any other answer is
// returned to the caller. ctx bounds the whole call: its deadline cuts
// the running attempt short and stops further ones.
func (c *Client) do(ctx context.Context, method, path string, body []byte) (int, []byte, error) {
	var last error
	pause := c.cfg.Backoff
	attempts := 0
	for attempts < c.cfg.Attempts {
		if attempts > 0 {
			t := time.NewTimer(pause)
			select {
			case <-ctx.Done():
				t.Stop()
				return 0, nil, fmt.Errorf("%w: %s %s: gave up after %d attempts: %w (last: %w)", ordering.ErrUnavailable, method, path, attempts, ctx.Err(), last)
			case <-t.C:
			}
			pause *= 2
		}
		attempts++
		status, resp, err := c.once(ctx, method, path, body)
		if err == nil && status < 500 {
			return status, resp, nil
		}
		if err == nil {
			err = fmt.Errorf("status %d: %s", status, snippet(resp))
		}
		last = err
		if ctx.Err() != nil {
			break
		}
	}
	return 0, nil, fmt.Errorf("%w: %s %s after %d attempts: %w", ordering.ErrUnavailable, method, path, attempts, last)
}

func (c *Client) once(ctx context.Context, method, path string, body []byte) (int, []byte, error) {
	ctx, cancel := context.WithTimeout(ctx, c.cfg.Timeout)
	defer cancel()
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.cfg.BaseURL+path, rd)
	if err != nil {
		return 0, nil, fmt.Errorf("build request: %w", err)
	}
	req.Header.Set(inventoryapi.HeaderServiceToken, c.cfg.Token)
	req.Header.Set("Accept", "application/json")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.cfg.HTTP.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return 0, nil, fmt.Errorf("read response: %w", err)
	}
	return resp.StatusCode, data, nil
}

func decodeReservation(data []byte) (ordering.Reservation, error) {
	var r inventoryapi.Reservation
	if err := json.Unmarshal(data, &r); err != nil {
		return ordering.Reservation{}, fmt.Errorf("decode reservation: %w", err)
	}
	out := ordering.Reservation{OrderID: r.OrderID, Status: r.Status, Lines: make([]ordering.Line, len(r.Lines))}
	for i, l := range r.Lines {
		out.Lines[i] = ordering.Line{ProductID: l.ProductID, VariantID: l.VariantID, Quantity: l.Quantity, UnitPrice: int64(l.UnitPrice)}
	}
	if r.Problem != nil {
		out.Err = fromProblem(*r.Problem)
	}
	return out, nil
}

// isNotFound reports a contract 404 (a NOT_FOUND problem), as opposed to a
// 404 from something that is not the products API (wrong URL, proxy).
func isNotFound(status int, data []byte) bool {
	var p inventoryapi.Problem
	return status == http.StatusNotFound && json.Unmarshal(data, &p) == nil && p.Code == inventoryapi.CodeNotFound
}

// problemError turns a refusal into the domain error it stands for.
func problemError(status int, data []byte) error {
	var p inventoryapi.Problem
	if err := json.Unmarshal(data, &p); err != nil || p.Code == "" {
		return unexpected("reserve stock", status, data)
	}
	return fromProblem(p)
}

func fromProblem(p inventoryapi.Problem) error {
	switch p.Code {
	case inventoryapi.CodeInsufficientStock:
		return &ordering.StockError{ProductID: p.ProductID, Requested: p.Requested, Available: p.Available}
	case inventoryapi.CodeNotFound:
		return &ordering.InputError{Msg: fmt.Sprintf("product %s does not exist", p.ProductID), ProductID: p.ProductID, Code: ordering.ReasonNotFound}
	case inventoryapi.CodeBadInput:
		return &ordering.InputError{Msg: "products refused the order: " + p.Message, ProductID: p.ProductID}
	default:
		return fmt.Errorf("products refused the order (%s: %s): %w", p.Code, p.Message, ordering.ErrUnavailable)
	}
}

// unexpected reports an answer the contract does not allow (401 means the
// service token is wrong: a deployment error, so products is unusable).
func unexpected(op string, status int, data []byte) error {
	return fmt.Errorf("%s: unexpected status %d: %s: %w", op, status, snippet(data), ordering.ErrUnavailable)
}

func snippet(b []byte) string {
	const limit = 200
	s := strings.TrimSpace(string(b))
	if len(s) > limit {
		s = s[:limit] + "..."
	}
	return s
}
