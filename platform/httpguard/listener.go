package httpguard

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"
)

// refuseWait bounds how long a refused connection may take to send its
// request before it gets the refusal, and then to read it.
const refuseWait = 2 * time.Second

// maxRefusing bounds the refused connections being answered at once; past
// it, refused connections are closed without an answer, so a flood of
// them costs no more than that many goroutines.
const maxRefusing = 64

// Listener caps the connections a listener hands out, in all and per client
// address. A connection over a cap is answered with a JSON error (503 over
// the process cap, 429 over the address cap) and closed, instead of
// waiting in the accept queue where the client cannot tell why it hangs.
type Listener struct {
	net.Listener
	slots    *Slots
	refusing chan struct{}
}

// NewListener wraps ln with the caps (0 leaves one off).
func NewListener(ln net.Listener, maxConns, maxPerAddr int) *Listener {
	return &Listener{Listener: ln, slots: NewSlots(maxConns, maxPerAddr), refusing: make(chan struct{}, maxRefusing)}
}

// Listener returns ln behind the connection caps of l, or ln itself when
// both are off.
func (l Limits) Listener(ln net.Listener) net.Listener {
	if l.MaxConns <= 0 && l.MaxConnsPerAddr <= 0 {
		return ln
	}
	return NewListener(ln, l.MaxConns, l.MaxConnsPerAddr)
}

// Slots returns the connection accounting (for metrics and tests).
func (l *Listener) Slots() *Slots { return l.slots }

// Accept returns the next connection within the caps; connections over
// them are refused in the background and never returned.
func (l *Listener) Accept() (net.Conn, error) {
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			return nil, err
		}
		release, err := l.slots.Acquire(PeerKey(c.RemoteAddr().String()))
		if err == nil {
			return &conn{Conn: c, release: release}, nil
		}
		l.refuse(c, err)
	}
}

// refuse answers c with a JSON error once its request is read, then
// closes it.
func (l *Listener) refuse(c net.Conn, why error) {
	select {
	case l.refusing <- struct{}{}:
	default:
		_ = c.Close()
		return
	}
	go func() {
		defer func() { <-l.refusing }()
		defer c.Close()
		status, msg := http.StatusServiceUnavailable, "the server is at its connection limit; retry shortly"
		if errors.Is(why, ErrAddrFull) {
			status, msg = http.StatusTooManyRequests, "too many connections from your address; reuse or close some and retry"
		}
		_ = c.SetDeadline(time.Now().Add(refuseWait))
		// Read the request first: an HTTP client treats an answer that
		// arrives before it sent its request as an error, not as a reply.
		br := bufio.NewReader(io.LimitReader(c, 64<<10))
		if req, err := http.ReadRequest(br); err == nil {
			_ = req.Body.Close()
		}
		body := errorBody(CodeTooManyConnections, msg)
		head := fmt.Sprintf("HTTP/1.1 %d %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\nRetry-After: 1\r\nConnection: close\r\n\r\n",
			status, http.StatusText(status), len(body))
		if _, err := io.WriteString(c, head); err != nil {
			return
		}
		if _, err := c.Write(body); err != nil {
			return
		}
		// Half-close and drain what the client still sends (a body), so
		// that closing does not reset the connection before it read the
		// answer.
		if cw, ok := c.(interface{ CloseWrite() error }); ok {
			_ = cw.CloseWrite()
			_, _ = io.Copy(io.Discard, io.LimitReader(c, 1<<20))
		}
	}()
}

// conn gives its slot back when closed (also after a WebSocket hijack).
type conn struct {
	net.Conn
	release func()
}

// Close closes the connection and frees its slot.
func (c *conn) Close() error {
	err := c.Conn.Close()
	c.release()
	return err
}

// CloseWrite half-closes TCP connections, so that net/http's lingering
// close keeps working through the wrapper.
func (c *conn) CloseWrite() error {
	if cw, ok := c.Conn.(interface{ CloseWrite() error }); ok {
		return cw.CloseWrite()
	}
	return nil
}
