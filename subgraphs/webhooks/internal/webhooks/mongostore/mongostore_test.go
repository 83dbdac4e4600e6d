package mongostore_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/shopsupergraph/shop/platform/mongox"
	"github.com/shopsupergraph/shop/platform/testenv"
	"github.com/shopsupergraph/shop/subgraphs/webhooks/internal/webhooks"
	"github.com/shopsupergraph/shop/subgraphs/webhooks/internal/webhooks/mongostore"
)

func newStore(t *testing.T) *mongostore.Store {
	t.Helper()
	env := testenv.Get(t)
	ctx := context.Background()
	client, db, err := mongox.Connect(ctx, env.MongoURI, testenv.Name("webhookstore"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = client.Disconnect(context.Background()) }) //nolint:errcheck // test teardown
	s, err := mongostore.New(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestDeliveries: inserting a delivery twice stores it once; Due returns
// only what is due and unsettled, soonest first, even when a settled
// delivery's event is handled again; pages follow the cursor newest first
// and a malformed cursor is ErrInvalid.
func TestDeliveries(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	base := time.Date(2026, 12, 2, 12, 0, 0, 0, time.UTC)
	var ds []webhooks.Delivery
	for i := range 5 {
		ds = append(ds, webhooks.Delivery{
			ID: fmt.Sprintf("ep1:e%d:ORDER_CREATED", i), EndpointID: "ep1", MessageID: fmt.Sprintf("m%d", i), EventID: fmt.Sprintf("e%d", i),
			Type: webhooks.OrderCreated, Payload: []byte(`{}`), Status: webhooks.StatusPending,
			CreatedAt: base.Add(time.Duration(i) * time.Second), NextAttemptAt: base.Add(time.Duration(10-i) * time.Second), Deadline: base.Add(time.Hour),
		})
	}
	if err := s.InsertDeliveries(ctx, ds[:3]); err != nil {
		t.Fatal(err)
	}
	if err := s.InsertDeliveries(ctx, ds); err != nil {
		t.Fatalf("insert again with duplicates: %v", err)
	}
	done := ds[4]
	done.Status, done.NextAttemptAt = webhooks.StatusDelivered, time.Time{}
	done.Attempts = []webhooks.Attempt{{At: base, HTTPStatus: 200, Duration: 12 * time.Millisecond}}
	if err := s.SaveAttempt(ctx, done); err != nil {
		t.Fatal(err)
	}
	// The event read again after its delivery settled: nothing is due again.
	if err := s.InsertDeliveries(ctx, ds[4:]); err != nil {
		t.Fatal(err)
	}
	due, err := s.Due(ctx, base.Add(8*time.Second), 10)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, d := range due {
		got = append(got, d.EventID)
	}
	if fmt.Sprint(got) != "[e3 e2]" {
		t.Fatalf("due = %v, want [e3 e2] (e4 delivered, e0 and e1 later)", got)
	}

	var seen []string
	after := ""
	for range 5 {
		p, err := s.Deliveries(ctx, "ep1", webhooks.Page{First: 2, After: after})
		if err != nil {
			t.Fatal(err)
		}
		if p.Total != 5 {
			t.Fatalf("total %d, want 5", p.Total)
		}
		for _, d := range p.Deliveries {
			seen = append(seen, d.EventID)
		}
		if !p.HasNext {
			break
		}
		after = mongostore.EncodeCursor(p.Deliveries[len(p.Deliveries)-1])
	}
	if fmt.Sprint(seen) != "[e4 e3 e2 e1 e0]" {
		t.Fatalf("pages = %v, want newest first", seen)
	}
	first, err := s.Deliveries(ctx, "ep1", webhooks.Page{First: 1})
	if err != nil || len(first.Deliveries[0].Attempts) != 1 || first.Deliveries[0].Attempts[0].Duration != 12*time.Millisecond ||
		first.Deliveries[0].Status != webhooks.StatusDelivered {
		t.Fatalf("newest delivery = %+v, %v", first.Deliveries, err)
	}
	if _, err := s.Deliveries(ctx, "ep1", webhooks.Page{First: 2, After: "%%%"}); !errors.Is(err, webhooks.ErrInvalid) {
		t.Fatalf("malformed cursor: %v, want ErrInvalid", err)
	}
}
