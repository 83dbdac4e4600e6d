// Package subload measures subscription fan-out through the router: it
// opens many inventoryUpdated subscribers (GraphQL over SSE, one stream
// each), restocks the product they watch with the admin key, and records
// for every subscriber how long each event took from the moment the
// restock was sent to the moment the subscriber read it. The memory a
// subscriber costs is read from the resident set of the process that
// serves them, before and after they subscribe.
package subload

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/shopsupergraph/shop/loadgen/gql"
	"github.com/shopsupergraph/shop/loadgen/hist"
)

// Options size one run.
type Options struct {
	// Subscribers is how many streams to open; Events how many measured
	// restocks to send after one unmeasured restock that proves every
	// stream live.
	Subscribers int
	Events      int
	// Interval is the least time between two restocks; Wait how long one
	// event may take to reach every subscriber before it counts as missed
	// where it did not arrive.
	Interval time.Duration
	Wait     time.Duration
	// OpenParallel bounds the streams being opened at once.
	OpenParallel int
	// PerConnection, when positive, carries the subscribers over
	// graphql-transport-ws, that many on each WebSocket connection; 0
	// opens one SSE stream per subscriber.
	PerConnection int
	// RSS reads the resident set of the process serving the subscribers;
	// nil measures no memory.
	RSS func() (int64, error)
}

// Result is what a run measured.
type Result struct {
	Subscribers int
	Events      int
	// Open is how long opening every stream took; Ready how many streams
	// delivered the priming event.
	Open  time.Duration
	Ready int
	// Latency holds one sample per delivered (subscriber, event).
	Latency   *hist.Histogram
	Delivered int
	Missed    int
	// Repeats counts events a subscription read more than once (the same
	// restock's quantity again); they are not deliveries.
	Repeats int
	// RSSBefore and RSSAfter are the server's resident set (bytes) before
	// the streams opened and once they were all live; 0 when unknown.
	RSSBefore, RSSAfter int64
	// Failures counts subscribers that failed to open or ended early, by
	// reason.
	Failures map[string]int
}

// PerSubscriber is the resident memory one live subscriber added.
func (r *Result) PerSubscriber() int64 {
	if r.RSSBefore == 0 || r.RSSAfter == 0 || r.Subscribers == 0 {
		return 0
	}
	return (r.RSSAfter - r.RSSBefore) / int64(r.Subscribers)
}

const (
	subscription = `subscription Stock($id: ID) { inventoryUpdated(productId: $id) { _id quantity } }`
	restock      = `mutation Restock($id: ID!, $q: Int!) { restockProduct(id: $id, quantity: $q) { _id quantity } }`
)

// Runner runs subscriber load against one router.
type Runner struct {
	// URL is the router's GraphQL endpoint; AdminKey authorizes restocks.
	URL      string
	AdminKey string
	// Client posts the restocks; Streams carries the subscriber streams
	// (it must not time out whole requests).
	Client  *gql.Client
	Streams *http.Client
}

// tracker matches deliveries to the restock that caused them: restocks
// add one unit each, so the quantity an event reports names its restock.
type tracker struct {
	mu      sync.Mutex
	sent    map[int]time.Time
	got     map[int]int
	done    map[int]chan struct{}
	want    int
	lat     *hist.Histogram
	measure map[int]bool
	// seen keys a subscription by stream (and id within a connection):
	// an event it reads again is counted in repeats, not as a delivery.
	seen    map[string]map[int]bool
	repeats int
}

func newTracker(want int) *tracker {
	return &tracker{sent: map[int]time.Time{}, got: map[int]int{}, done: map[int]chan struct{}{}, want: want, lat: hist.New(), measure: map[int]bool{}, seen: map[string]map[int]bool{}}
}

// expect announces a restock that will report quantity q, sent at t.
func (t *tracker) expect(q int, at time.Time, measured bool) chan struct{} {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.sent[q], t.measure[q] = at, measured
	ch := make(chan struct{})
	t.done[q] = ch
	if t.got[q] >= t.want {
		close(ch)
	}
	return ch
}

// deliver records that subscription sub read the event reporting q at at.
func (t *tracker) deliver(sub string, q int, at time.Time) {
	t.mu.Lock()
	defer t.mu.Unlock()
	sent, ok := t.sent[q]
	if !ok {
		return // an event this run did not cause
	}
	if t.seen[sub] == nil {
		t.seen[sub] = map[int]bool{}
	}
	if t.seen[sub][q] {
		t.repeats++
		return
	}
	t.seen[sub][q] = true
	t.got[q]++
	if t.measure[q] {
		t.lat.Record(at.Sub(sent))
	}
	if t.got[q] == t.want {
		close(t.done[q])
	}
}

func (t *tracker) count(q int) int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.got[q]
}

// Run opens the subscribers on productID, whose current quantity is
// base, then primes them and sends the measured restocks.
func (r *Runner) Run(ctx context.Context, productID string, base int, o Options) (*Result, error) {
	if o.Subscribers < 1 || o.Events < 1 {
		return nil, errors.New("subscribers and events must be at least 1")
	}
	if o.OpenParallel < 1 {
		o.OpenParallel = 50
	}
	res := &Result{Subscribers: o.Subscribers, Events: o.Events, Failures: map[string]int{}}
	var err error
	if o.RSS != nil {
		if res.RSSBefore, err = o.RSS(); err != nil {
			return nil, err
		}
	}
	tr := newTracker(o.Subscribers)
	sctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var fmu sync.Mutex
	fail := func(reason string) {
		fmu.Lock()
		res.Failures[reason]++
		fmu.Unlock()
	}
	var streams sync.WaitGroup
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(o.OpenParallel)
	start := time.Now()
	if o.PerConnection > 0 {
		for left := o.Subscribers; left > 0; left -= o.PerConnection {
			n := min(left, o.PerConnection)
			conn := fmt.Sprint("ws-", left)
			g.Go(func() error {
				deliver := func(id string, q int, at time.Time) { tr.deliver(conn+"/"+id, q, at) }
				read, err := r.openWS(gctx, sctx, productID, n, deliver)
				if err != nil {
					for range n {
						fail(err.Error())
					}
					return nil
				}
				streams.Add(1)
				go func() {
					defer streams.Done()
					if err := read(); err != nil && sctx.Err() == nil {
						fail("connection ended: " + err.Error())
					}
				}()
				return nil
			})
		}
	} else {
		for i := range o.Subscribers {
			sub := fmt.Sprint("sse-", i)
			g.Go(func() error {
				body, err := r.open(gctx, sctx, productID)
				if err != nil {
					fail(err.Error())
					return nil
				}
				streams.Add(1)
				go func() {
					defer streams.Done()
					defer body.Close() //nolint:errcheck // the stream is over
					deliver := func(q int, at time.Time) { tr.deliver(sub, q, at) }
					if err := readEvents(body, deliver); err != nil && sctx.Err() == nil {
						fail("stream ended: " + err.Error())
					}
				}()
				return nil
			})
		}
	}
	_ = g.Wait() //nolint:errcheck // every goroutine returns nil; failures are counted
	res.Open = time.Since(start)
	defer streams.Wait()
	defer cancel()

	// Priming: one restock every open stream must see before measuring,
	// so that the measured events never wait for a stream to go live.
	q := base + 1
	if err := r.restock(ctx, productID, tr.expect(q, time.Now(), false), o.Wait); err != nil {
		return nil, err
	}
	res.Ready = tr.count(q)
	if o.RSS != nil {
		if res.RSSAfter, err = o.RSS(); err != nil {
			return nil, err
		}
	}
	for i := range o.Events {
		wait := time.After(o.Interval)
		q := base + 2 + i
		if err := r.restock(ctx, productID, tr.expect(q, time.Now(), true), o.Wait); err != nil {
			return nil, err
		}
		n := tr.count(q)
		res.Delivered += n
		res.Missed += res.Ready - min(n, res.Ready)
		select {
		case <-wait:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	res.Latency = tr.lat
	tr.mu.Lock()
	res.Repeats = tr.repeats
	tr.mu.Unlock()
	return res, nil
}

// restock adds one unit and waits until every subscriber saw the event
// (done closes) or wait passes.
func (r *Runner) restock(ctx context.Context, productID string, done chan struct{}, wait time.Duration) error {
	admin := http.Header{"X-Api-Key": {r.AdminKey}}
	if err := r.Client.Call(ctx, restock, map[string]any{"id": productID, "q": 1}, admin, nil); err != nil {
		return fmt.Errorf("restock: %w", err)
	}
	select {
	case <-done:
	case <-time.After(wait):
	case <-ctx.Done():
		return ctx.Err()
	}
	return nil
}

// open starts one SSE subscription; the stream lives until streamCtx ends.
func (r *Runner) open(ctx, streamCtx context.Context, productID string) (io.ReadCloser, error) {
	body, err := json.Marshal(map[string]any{"query": subscription, "variables": map[string]any{"id": productID}})
	if err != nil {
		return nil, fmt.Errorf("encode: %w", err)
	}
	req, err := http.NewRequestWithContext(streamCtx, http.MethodPost, r.URL, bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("build request: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "text/event-stream")
	type answer struct {
		resp *http.Response
		err  error
	}
	ch := make(chan answer, 1)
	go func() {
		resp, err := r.Streams.Do(req) //nolint:bodyclose // closed by the reader, or below
		ch <- answer{resp, err}
	}()
	var a answer
	select {
	case a = <-ch:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	if a.err != nil {
		return nil, errors.New("open: transport")
	}
	if a.resp.StatusCode != http.StatusOK || !strings.HasPrefix(a.resp.Header.Get("Content-Type"), "text/event-stream") {
		_ = a.resp.Body.Close() //nolint:errcheck // refused anyway
		return nil, fmt.Errorf("open: HTTP %d", a.resp.StatusCode)
	}
	return a.resp.Body, nil
}

// readEvents reads a GraphQL-over-SSE stream and reports the quantity of
// every "next" event with the time it was read.
func readEvents(body io.Reader, deliver func(q int, at time.Time)) error {
	br := bufio.NewReader(body)
	var event string
	var data bytes.Buffer
	for {
		line, err := br.ReadBytes('\n')
		if err != nil {
			return err
		}
		line = bytes.TrimRight(line, "\r\n")
		switch {
		case len(line) == 0:
			if event == "complete" {
				return errors.New("completed by the server")
			}
			if event == "next" || event == "" && data.Len() > 0 {
				if q, ok := quantityOf(data.Bytes()); ok {
					deliver(q, time.Now())
				}
			}
			event = ""
			data.Reset()
		case bytes.HasPrefix(line, []byte("event:")):
			event = strings.TrimSpace(string(line[len("event:"):]))
		case bytes.HasPrefix(line, []byte("data:")):
			data.Write(bytes.TrimSpace(line[len("data:"):]))
		}
	}
}

func quantityOf(b []byte) (int, bool) {
	var msg struct {
		Data struct {
			InventoryUpdated *struct {
				Quantity int `json:"quantity"`
			} `json:"inventoryUpdated"`
		} `json:"data"`
	}
	if json.Unmarshal(b, &msg) != nil || msg.Data.InventoryUpdated == nil {
		return 0, false
	}
	return msg.Data.InventoryUpdated.Quantity, true
}

// ProcRSS returns a reader of the resident set of process pid (0: this
// process) from /proc, in bytes.
func ProcRSS(pid int) func() (int64, error) {
	path := "/proc/self/status"
	if pid > 0 {
		path = "/proc/" + strconv.Itoa(pid) + "/status"
	}
	return func() (int64, error) {
		b, err := os.ReadFile(path)
		if err != nil {
			return 0, fmt.Errorf("read rss: %w", err)
		}
		for _, line := range strings.Split(string(b), "\n") {
			if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
				f := strings.Fields(rest)
				if len(f) == 2 && f[1] == "kB" {
					kb, err := strconv.ParseInt(f[0], 10, 64)
					if err != nil {
						return 0, fmt.Errorf("read rss: %w", err)
					}
					return kb * 1024, nil
				}
			}
		}
		return 0, fmt.Errorf("read rss: no VmRSS in %s", path)
	}
}
