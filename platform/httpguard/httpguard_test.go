package httpguard

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/shopsupergraph/shop/platform/config"
	"github.com/shopsupergraph/shop/platform/httpx"
)

// serve runs h behind l (Listener and Server, as Serve does) on a port-0
// listener until the test ends and returns its address and listener.
func serve(t *testing.T, l Limits, h http.Handler) (string, net.Listener) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	guarded := l.Listener(ln)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- httpx.ServeServer(ctx, guarded, l.Server(h), slog.New(slog.DiscardHandler), time.Second)
	}()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Error(err)
		}
	})
	return ln.Addr().String(), guarded
}

type gqlError struct {
	Errors []struct {
		Message    string `json:"message"`
		Extensions struct {
			Code string `json:"code"`
		} `json:"extensions"`
	} `json:"errors"`
}

func decodeError(t *testing.T, r io.Reader) string {
	t.Helper()
	var e gqlError
	if err := json.NewDecoder(r).Decode(&e); err != nil || len(e.Errors) == 0 {
		t.Fatalf("not a JSON error: %v", err)
	}
	return e.Errors[0].Extensions.Code
}

// endless is a reader of n bytes that are never buffered up front.
type endless struct{ left int64 }

func (e *endless) Read(p []byte) (int, error) {
	if e.left <= 0 {
		return 0, io.EOF
	}
	n := min(int64(len(p)), e.left)
	for i := range p[:n] {
		p[i] = 'x'
	}
	e.left -= n
	return int(n), nil
}

// TestBodyCap: a 20 MB body, streamed without a length or declared up
// front, is refused with 413 and a short JSON error after at most the
// cap was read; the handler never sees it. A body within the cap arrives
// whole.
func TestBodyCap(t *testing.T) {
	t.Parallel()
	l := DefaultLimits()
	var handled atomic.Int64
	addr, _ := serve(t, l, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n, _ := io.Copy(io.Discard, r.Body)
		handled.Add(1)
		fmt.Fprintf(w, "%d", n)
	}))
	for _, declared := range []bool{false, true} {
		req, err := http.NewRequest(http.MethodPost, "http://"+addr, &endless{left: 20 << 20})
		if err != nil {
			t.Fatal(err)
		}
		if declared {
			req.ContentLength = 20 << 20
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatalf("declared=%t: %v", declared, err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusRequestEntityTooLarge || !strings.Contains(string(body), CodeTooLarge) || len(body) > 300 {
			t.Fatalf("declared=%t: %d %s", declared, resp.StatusCode, body)
		}
	}
	if handled.Load() != 0 {
		t.Fatal("the handler saw an oversized body")
	}
	resp, err := http.Post("http://"+addr, "application/json", &endless{left: 1 << 20})
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || string(body) != fmt.Sprint(1<<20) {
		t.Fatalf("body at the cap: %d %s", resp.StatusCode, body)
	}
}

// TestSlowBodyCutOff: a client sending its body a byte at a time (each
// byte well within any per-read timeout) is cut off when the body
// deadline passes, with 408.
func TestSlowBodyCutOff(t *testing.T) {
	t.Parallel()
	l := DefaultLimits()
	l.BodyTimeout = 500 * time.Millisecond
	var handled atomic.Int64
	addr, _ := serve(t, l, http.HandlerFunc(func(http.ResponseWriter, *http.Request) { handled.Add(1) }))
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := io.WriteString(c, "POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n"); err != nil {
		t.Fatal(err)
	}
	began := time.Now()
	stop := make(chan struct{})
	defer close(stop)
	go func() {
		for {
			select {
			case <-stop:
				return
			case <-time.After(100 * time.Millisecond):
				if _, err := c.Write([]byte("x")); err != nil {
					return
				}
			}
		}
	}()
	_ = c.SetReadDeadline(time.Now().Add(10 * time.Second))
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		t.Fatalf("no answer: %v", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusRequestTimeout || decodeError(t, resp.Body) != CodeTimeout {
		t.Fatalf("status %d", resp.StatusCode)
	}
	if d := time.Since(began); d > 5*time.Second {
		t.Fatalf("cut off after %s", d)
	}
	if handled.Load() != 0 {
		t.Fatal("the handler ran")
	}
}

// TestStreamsOutliveDeadlines: an SSE response keeps streaming after the
// body and write deadlines passed; an ordinary response is held to the
// write deadline.
func TestStreamsOutliveDeadlines(t *testing.T) {
	t.Parallel()
	l := DefaultLimits()
	l.BodyTimeout, l.WriteTimeout = 200*time.Millisecond, 200*time.Millisecond
	addr, _ := serve(t, l, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, err := io.ReadAll(r.Body); err != nil {
			return
		}
		for i := range 8 {
			if i > 0 {
				time.Sleep(100 * time.Millisecond)
			}
			if _, err := fmt.Fprintf(w, "data: %d\n\n", i); err != nil {
				return
			}
			if err := http.NewResponseController(w).Flush(); err != nil {
				return
			}
		}
	}))
	read := func(accept string) (string, error) {
		req, err := http.NewRequest(http.MethodPost, "http://"+addr, strings.NewReader(`{"query":"subscription { x }"}`))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Accept", accept)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return "", err
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		return string(b), err
	}
	got, err := read("text/event-stream")
	if err != nil || strings.Count(got, "data:") != 8 {
		t.Fatalf("stream: %v, %q", err, got)
	}
	got, err = read("application/json")
	if err == nil && strings.Count(got, "data:") == 8 {
		t.Fatal("a response that is not a stream outlived the write deadline")
	}
}

// dialFrom opens a connection to addr from the loopback address ip.
func dialFrom(t *testing.T, ip, addr string) net.Conn {
	t.Helper()
	d := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(ip)}}
	c, err := d.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// get sends a GET on c and returns the status and the error code, if any.
func get(t *testing.T, c net.Conn) (int, string) {
	t.Helper()
	_ = c.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := io.WriteString(c, "GET / HTTP/1.1\r\nHost: x\r\n\r\n"); err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode == http.StatusOK {
		return resp.StatusCode, ""
	}
	return resp.StatusCode, decodeError(t, resp.Body)
}

// TestConnectionCaps: past the per-address cap a connection gets 429,
// past the process cap 503, each as a JSON error; a closed connection
// frees its slot.
func TestConnectionCaps(t *testing.T) {
	t.Parallel()
	l := DefaultLimits()
	l.MaxConns, l.MaxConnsPerAddr = 3, 2
	addr, ln := serve(t, l, http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	slots := ln.(*Listener).Slots()
	a1, a2 := dialFrom(t, "127.0.0.1", addr), dialFrom(t, "127.0.0.1", addr)
	for _, c := range []net.Conn{a1, a2} {
		if s, _ := get(t, c); s != http.StatusOK {
			t.Fatalf("within the caps: %d", s)
		}
	}
	if s, code := get(t, dialFrom(t, "127.0.0.1", addr)); s != http.StatusTooManyRequests || code != CodeTooManyConnections {
		t.Fatalf("third from one address: %d %s", s, code)
	}
	if s, _ := get(t, dialFrom(t, "127.0.0.2", addr)); s != http.StatusOK {
		t.Fatalf("another address: %d", s)
	}
	if s, code := get(t, dialFrom(t, "127.0.0.3", addr)); s != http.StatusServiceUnavailable || code != CodeTooManyConnections {
		t.Fatalf("fourth in the process: %d %s", s, code)
	}
	if slots.Denied() != 2 {
		t.Fatalf("%d refusals counted", slots.Denied())
	}
	a1.Close()
	deadline := time.Now().Add(10 * time.Second)
	for {
		if n, _ := slots.InUse(""); n == 2 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("closed connection kept its slot")
		}
		time.Sleep(10 * time.Millisecond)
	}
	if s, _ := get(t, dialFrom(t, "127.0.0.3", addr)); s != http.StatusOK {
		t.Fatalf("after a close: %d", s)
	}
}

func TestPeerKey(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"10.1.2.3:5000":                     "10.1.2.3",
		"[::ffff:10.1.2.3]:5000":            "10.1.2.3",
		"[2001:db8:1:2:aaaa::1]:443":        "2001:db8:1:2::/64",
		"[2001:db8:1:2:bbbb:cccc::9]:80":    "2001:db8:1:2::/64",
		"[2001:db8:1:3::1]:80":              "2001:db8:1:3::/64",
		"pipe":                              "pipe",
		"[fe80::1%eth0]:80":                 "fe80::/64",
		"not an address but still a bucket": "not an address but still a bucket",
	} {
		if got := PeerKey(in); got != want {
			t.Errorf("PeerKey(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestLoad(t *testing.T) {
	t.Parallel()
	env := config.FromMap(map[string]string{"HTTP_MAX_BODY_BYTES": "2048", "HTTP_BODY_TIMEOUT": "3s"})
	if l := Load(env); l.MaxBodyBytes != 2048 || l.BodyTimeout != 3*time.Second || l.MaxConns != DefaultMaxConns || env.Err() != nil {
		t.Fatalf("%+v %v", l, env.Err())
	}
	env = config.FromMap(map[string]string{"HTTP_MAX_CONNS": "-1", "HTTP_IDLE_TIMEOUT": "soon"})
	Load(env)
	err := env.Err()
	if err == nil || !strings.Contains(err.Error(), "HTTP_MAX_CONNS") || !strings.Contains(err.Error(), "HTTP_IDLE_TIMEOUT") {
		t.Fatalf("err %v", err)
	}
}
