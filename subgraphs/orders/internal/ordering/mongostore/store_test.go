package mongostore_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/bson/primitive"

	"github.com/shopsupergraph/shop/platform/mongox"
	"github.com/shopsupergraph/shop/platform/testenv"
	"github.com/shopsupergraph/shop/subgraphs/orders/internal/ordering"
	"github.com/shopsupergraph/shop/subgraphs/orders/internal/ordering/mongostore"
)

func newStore(t *testing.T) *mongostore.Store {
	t.Helper()
	env := testenv.Get(t)
	ctx := context.Background()
	client, db, err := mongox.Connect(ctx, env.MongoURI, testenv.Name("orders_store"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = db.Drop(context.Background())
		_ = client.Disconnect(context.Background())
	})
	s := mongostore.New(db)
	if err := s.EnsureIndexes(ctx); err != nil {
		t.Fatal(err)
	}
	return s
}

func TestTransitionStepHasOneWinner(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	ctx := context.Background()
	o := ordering.Order{ID: primitive.NewObjectID().Hex(), UserID: "u1", Lines: []ordering.Line{{ProductID: "p", Quantity: 1}}, Status: ordering.StatusPending, CreatedAt: time.Now()}
	if err := s.Create(ctx, o); err != nil {
		t.Fatal(err)
	}
	const racers = 50
	var wg sync.WaitGroup
	var mu sync.Mutex
	won, lost := 0, 0
	for i := range racers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			to := ordering.StatusConfirmed
			if i%2 == 1 {
				to = ordering.StatusRejected
			}
			err := s.AppendTransition(ctx, ordering.Transition{OrderID: o.ID, Step: ordering.StepResolve, From: ordering.StatusPending, To: to, At: time.Now()})
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				won++
			case errors.Is(err, ordering.ErrStepTaken):
				lost++
			default:
				t.Errorf("append: %v", err)
			}
		}()
	}
	wg.Wait()
	if won != 1 || lost != racers-1 {
		t.Fatalf("won %d lost %d, want exactly one winner", won, lost)
	}
}

func TestReadsMergeUnappliedTransitions(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	ctx := context.Background()
	now := time.Now().UTC().Truncate(time.Millisecond)
	o := ordering.Order{ID: primitive.NewObjectID().Hex(), UserID: "u1", Lines: []ordering.Line{{ProductID: "p", Quantity: 2}}, Status: ordering.StatusPending, CreatedAt: now}
	if err := s.Create(ctx, o); err != nil {
		t.Fatal(err)
	}
	priced := []ordering.Line{{ProductID: "p", Quantity: 2, UnitPrice: 7}}
	confirm := ordering.Transition{OrderID: o.ID, Step: ordering.StepResolve, From: ordering.StatusPending, To: ordering.StatusConfirmed, Lines: priced, Total: 14, At: now}
	if err := s.AppendTransition(ctx, confirm); err != nil {
		t.Fatal(err)
	}
	// No snapshot yet (a crash right after the insert): reads still see it.
	got, err := s.Get(ctx, o.ID)
	if err != nil || got.Status != ordering.StatusConfirmed || got.Total != 14 || got.Lines[0].UnitPrice != 7 {
		t.Fatalf("get before snapshot: %+v %v", got, err)
	}
	pend, err := s.StalePending(ctx, now.Add(time.Second), 10)
	if err != nil || len(pend) != 1 {
		t.Fatalf("stale pending: %v %v", pend, err)
	}
	un, err := s.Unapplied(ctx, now.Add(time.Second), 10)
	if err != nil || len(un) != 1 {
		t.Fatalf("unapplied: %v %v", un, err)
	}
	cancel := ordering.Transition{OrderID: o.ID, Step: ordering.StepCancel, From: ordering.StatusConfirmed, To: ordering.StatusCancelled, Lines: priced, Total: 14, At: now, NeedsRelease: true}
	if err := s.AppendTransition(ctx, cancel); err != nil {
		t.Fatal(err)
	}
	// Snapshots applied out of order keep the newest step.
	if err := s.ApplySnapshot(ctx, cancel); err != nil {
		t.Fatal(err)
	}
	if err := s.ApplySnapshot(ctx, confirm); err != nil {
		t.Fatal(err)
	}
	list, err := s.ListByUsers(ctx, []string{"u1"}, 10)
	if err != nil || len(list) != 1 || list[0].Status != ordering.StatusCancelled {
		t.Fatalf("list: %+v %v", list, err)
	}
	if pend, _ := s.StalePending(ctx, now.Add(time.Second), 10); len(pend) != 0 {
		t.Fatalf("still pending after snapshot: %v", pend)
	}
	owed, err := s.Unreleased(ctx, now.Add(time.Second), 10)
	if err != nil || len(owed) != 1 || owed[0].Step != ordering.StepCancel {
		t.Fatalf("unreleased: %+v %v", owed, err)
	}
	if err := s.MarkReleased(ctx, o.ID, ordering.StepCancel); err != nil {
		t.Fatal(err)
	}
	if owed, _ := s.Unreleased(ctx, now.Add(time.Second), 10); len(owed) != 0 {
		t.Fatalf("still owed after release: %v", owed)
	}
	if _, err := s.Get(ctx, primitive.NewObjectID().Hex()); !errors.Is(err, ordering.ErrNotFound) {
		t.Fatalf("missing order: %v", err)
	}
}
