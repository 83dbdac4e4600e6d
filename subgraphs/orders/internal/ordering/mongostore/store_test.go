package mongostore_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/bson/primitive"
	"go.mongodb.org/mongo-driver/mongo"

	"github.com/shopsupergraph/shop/platform/mongox"
	"github.com/shopsupergraph/shop/platform/testenv"
	"github.com/shopsupergraph/shop/subgraphs/orders/internal/ordering"
	"github.com/shopsupergraph/shop/subgraphs/orders/internal/ordering/mongostore"
)

func newStore(t *testing.T) *mongostore.Store {
	t.Helper()
	s, _ := newStoreDB(t)
	return s
}

// newStoreDB is newStore with the database, for tests that play a crash
// by hand.
func newStoreDB(t *testing.T) (*mongostore.Store, *mongo.Database) {
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
	return s, db
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
	if step, found, err := s.SnapshotStep(ctx, o.ID); err != nil || !found || step != 0 {
		t.Fatalf("snapshot step %d %v %v, want 0", step, found, err)
	}
	// The new order is on the work list from the start.
	work, err := s.Work(ctx, 10)
	if err != nil || len(work) != 1 || work[0].OrderID != o.ID || work[0].Step != ordering.StepResolve || !work[0].At.Equal(now) {
		t.Fatalf("work: %+v %v", work, err)
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
	if step, _, err := s.SnapshotStep(ctx, o.ID); err != nil || step != ordering.StepCancel {
		t.Fatalf("snapshot step %d %v, want %d", step, err, ordering.StepCancel)
	}
	list, err := s.History(ctx, "u1", 10)
	if err != nil || len(list) != 1 || list[0].Status != ordering.StatusCancelled {
		t.Fatalf("list: %+v %v", list, err)
	}
	// The cancel recorded its own work item.
	work, err = s.Work(ctx, 10)
	if err != nil || len(work) != 2 || work[1].Step != ordering.StepCancel {
		t.Fatalf("work: %+v %v", work, err)
	}
	if tr, err := s.Transition(ctx, o.ID, ordering.StepCancel); err != nil || !tr.NeedsRelease || tr.Released {
		t.Fatalf("cancel transition before release: %+v %v", tr, err)
	}
	if err := s.MarkReleased(ctx, o.ID, ordering.StepCancel); err != nil {
		t.Fatal(err)
	}
	if err := s.MarkReleased(ctx, o.ID, ordering.StepCancel); err != nil {
		t.Fatalf("second acknowledgement: %v", err)
	}
	if tr, err := s.Transition(ctx, o.ID, ordering.StepCancel); err != nil || !tr.Released {
		t.Fatalf("cancel transition after release: %+v %v", tr, err)
	}
	// A retried item moves behind the others; finished items leave.
	if err := s.RetryWork(ctx, work[0]); err != nil {
		t.Fatal(err)
	}
	work, err = s.Work(ctx, 10)
	if err != nil || len(work) != 2 || work[0].Step != ordering.StepCancel || work[1].Step != ordering.StepResolve || work[1].Attempts != 1 {
		t.Fatalf("work after retry: %+v %v", work, err)
	}
	for _, w := range work {
		if err := s.FinishWork(ctx, w); err != nil {
			t.Fatal(err)
		}
	}
	if work, err := s.Work(ctx, 10); err != nil || len(work) != 0 {
		t.Fatalf("work after finishing: %+v %v", work, err)
	}
	if _, err := s.Get(ctx, primitive.NewObjectID().Hex()); !errors.Is(err, ordering.ErrNotFound) {
		t.Fatalf("missing order: %v", err)
	}
}

// TestSnapshotRaceKeepsNewestStep: writers of step 1 and step 2 race on
// the order document; however their reads and writes interleave, the
// snapshot ends at step 2.
func TestSnapshotRaceKeepsNewestStep(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	ctx := context.Background()
	now := time.Now().UTC().Truncate(time.Millisecond)
	const orders = 20
	var wg sync.WaitGroup
	ids := make([]string, orders)
	for i := range ids {
		o := ordering.Order{ID: primitive.NewObjectID().Hex(), UserID: "u1", Lines: []ordering.Line{{ProductID: "p", Quantity: 1}}, Status: ordering.StatusPending, CreatedAt: now}
		ids[i] = o.ID
		if err := s.Create(ctx, o); err != nil {
			t.Fatal(err)
		}
		steps := []ordering.Transition{
			{OrderID: o.ID, Step: ordering.StepResolve, From: ordering.StatusPending, To: ordering.StatusConfirmed, Lines: o.Lines, At: now},
			{OrderID: o.ID, Step: ordering.StepCancel, From: ordering.StatusConfirmed, To: ordering.StatusCancelled, Lines: o.Lines, At: now},
		}
		for _, tr := range steps {
			if err := s.AppendTransition(ctx, tr); err != nil {
				t.Fatal(err)
			}
		}
		for j := range 6 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if err := s.ApplySnapshot(ctx, steps[j%2]); err != nil {
					t.Errorf("apply: %v", err)
				}
			}()
		}
	}
	wg.Wait()
	for _, id := range ids {
		if step, _, err := s.SnapshotStep(ctx, id); err != nil || step != ordering.StepCancel {
			t.Fatalf("order %s: snapshot step %d %v, want %d", id, step, err, ordering.StepCancel)
		}
	}
}
