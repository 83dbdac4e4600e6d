package dedupe_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/shopsupergraph/shop/platform/dedupe"
	"github.com/shopsupergraph/shop/platform/events"
	"github.com/shopsupergraph/shop/platform/mongox"
	"github.com/shopsupergraph/shop/platform/testenv"
)

// TestHandledOncePerEventID: a redelivered event is skipped; a failed
// handling is not recorded, so the retry runs the handler again; two
// consumers of one database keep separate records.
func TestHandledOncePerEventID(t *testing.T) {
	env := testenv.Get(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	client, db, err := mongox.Connect(ctx, env.MongoURI, testenv.Name("dedupe"))
	if err != nil {
		t.Fatal(err)
	}
	defer client.Disconnect(ctx) //nolint:errcheck // teardown

	calls := map[string]int{}
	fail := true
	h := func(_ context.Context, e events.Envelope) error {
		calls[e.ID]++
		if e.ID == "flaky" && fail {
			fail = false
			return errors.New("temporary")
		}
		return nil
	}
	a := dedupe.New(db, "group-a").Wrap(h)
	for _, id := range []string{"e1", "e1", "e2", "e1"} {
		if err := a(ctx, events.Envelope{ID: id}); err != nil {
			t.Fatal(err)
		}
	}
	if calls["e1"] != 1 || calls["e2"] != 1 {
		t.Fatalf("handler calls %v, want each event once", calls)
	}
	if err := a(ctx, events.Envelope{ID: "flaky"}); err == nil {
		t.Fatal("a failed handling must be reported, so the consumer retries")
	}
	if err := a(ctx, events.Envelope{ID: "flaky"}); err != nil || calls["flaky"] != 2 {
		t.Fatalf("retry: err %v, calls %d; want the handler run again", err, calls["flaky"])
	}
	b := dedupe.New(db, "group-b").Wrap(h)
	if err := b(ctx, events.Envelope{ID: "e1"}); err != nil || calls["e1"] != 2 {
		t.Fatalf("another consumer: err %v, calls %d; want its own first handling", err, calls["e1"])
	}
}
