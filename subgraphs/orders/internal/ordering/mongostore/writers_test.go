package mongostore_test

import (
	"context"
	"encoding/json"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/segmentio/kafka-go"
	"go.mongodb.org/mongo-driver/bson/primitive"

	"github.com/shopsupergraph/shop/platform/events"
	"github.com/shopsupergraph/shop/platform/outbox"
	"github.com/shopsupergraph/shop/subgraphs/orders/internal/ordering"
)

// countingPublisher records how often each event id was published.
type countingPublisher struct {
	mu   sync.Mutex
	seen map[string]int
}

func (p *countingPublisher) WriteMessages(_ context.Context, msgs ...kafka.Message) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, m := range msgs {
		var e events.Envelope
		if err := json.Unmarshal(m.Value, &e); err != nil {
			return err
		}
		p.seen[e.ID]++
	}
	return nil
}

// TestTransitionFactsSurviveConcurrentWriters: the snapshot, the release
// acknowledgement and the outbox relay record their facts at the same time
// for the same transition. On the embedded store every update is a read
// followed by a whole-document write, so facts kept as fields of one
// document undo each other (a lost release acknowledgement makes recovery
// release again; a lost sent flag publishes the event twice). Every fact
// must survive and every event must be published exactly once.
func TestTransitionFactsSurviveConcurrentWriters(t *testing.T) {
	t.Parallel()
	s, db := newStoreDB(t)
	ctx := context.Background()
	now := time.Now().UTC().Truncate(time.Millisecond)
	const orders = 40
	ts := make([]ordering.Transition, orders)
	for i := range ts {
		o := ordering.Order{ID: primitive.NewObjectID().Hex(), UserID: "u1", Lines: []ordering.Line{{ProductID: "p", Quantity: 1}}, Status: ordering.StatusPending, CreatedAt: now}
		if err := s.Create(ctx, o); err != nil {
			t.Fatal(err)
		}
		env, err := events.New(events.OrderRejected, now, events.OrderData{OrderID: o.ID, UserID: o.UserID, Status: string(ordering.StatusRejected)})
		if err != nil {
			t.Fatal(err)
		}
		e := outbox.NewEntry("shop.orders", o.ID, ordering.StepResolve, env)
		ts[i] = ordering.Transition{OrderID: o.ID, Step: ordering.StepResolve, From: ordering.StatusPending, To: ordering.StatusRejected, At: now, NeedsRelease: true, Outbox: &e}
		if err := s.AppendTransition(ctx, ts[i]); err != nil {
			t.Fatal(err)
		}
	}

	pub := &countingPublisher{seen: map[string]int{}}
	relay := outbox.NewRelay(db, pub, slog.New(slog.DiscardHandler))
	relay.Batch = 4
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			n, err := relay.Flush(ctx)
			if err != nil {
				t.Errorf("flush: %v", err)
				return
			}
			if n == 0 {
				return
			}
		}
	}()
	for _, tr := range ts {
		wg.Add(2)
		go func() {
			defer wg.Done()
			if err := s.ApplySnapshot(ctx, tr); err != nil {
				t.Errorf("apply snapshot: %v", err)
			}
		}()
		go func() {
			defer wg.Done()
			if err := s.MarkReleased(ctx, tr.OrderID, tr.Step); err != nil {
				t.Errorf("mark released: %v", err)
			}
		}()
	}
	wg.Wait()
	for {
		n, err := relay.Flush(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			break
		}
	}

	lost := 0
	for _, tr := range ts {
		got, err := s.Transition(ctx, tr.OrderID, tr.Step)
		if err != nil {
			t.Fatal(err)
		}
		if !got.Released {
			lost++
		}
		o, err := s.Get(ctx, tr.OrderID)
		if err != nil || o.Status != ordering.StatusRejected {
			t.Fatalf("order %s: %+v %v", tr.OrderID, o, err)
		}
	}
	dups := 0
	for _, tr := range ts {
		switch pub.seen[tr.Outbox.EventID] {
		case 0:
			t.Errorf("event of %s never published", tr.OrderID)
		case 1:
		default:
			dups++
		}
	}
	if lost > 0 || dups > 0 {
		t.Fatalf("%d of %d release acknowledgements lost, %d events published more than once", lost, orders, dups)
	}
}
