package realfault

import (
	"context"
	"fmt"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/shopsupergraph/shop/platform/events"
	"github.com/shopsupergraph/shop/platform/inventoryapi"
	"github.com/shopsupergraph/shop/platform/kafkax"
	"github.com/shopsupergraph/shop/platform/testenv"
)

// TestRealKafkaRestartDuringOrdersAndRestocks drives the products service
// with orders (reservations through its internal API, some of them
// cancelled) and restocks, while the broker is stopped and later killed. It
// reads the service's StockChanged events from Kafka and checks that every
// stock movement was published (versions of each product contiguous, one
// event per acknowledged movement), that applying the distinct events
// rebuilds exactly the quantity the service reports (nothing applied twice),
// and that the stock invariant holds.
func TestRealKafkaRestartDuringOrdersAndRestocks(t *testing.T) {
	env, ctl := setup(t)
	t.Cleanup(func() { _ = ctl.Ensure(context.Background(), "kafka") })
	svc := startProducts(t, env)
	const initial, rounds = 1000, 180
	ids := make([]string, 3)
	for i := range ids {
		ids[i] = svc.create(t, fmt.Sprintf("fault-stream-%d", i), initial).ID
	}

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	topic := svc.TopicPrefix + events.TopicProducts
	seen := &stockLog{events: map[string]events.StockChangedData{}}
	kc, err := kafkax.New(kafkax.Config{Brokers: env.KafkaBrokers})
	if err != nil {
		t.Fatal(err)
	}
	defer kc.Close()
	reader := kc.Consumer(kafkax.ReaderConfig{Topic: topic, GroupID: testenv.Name("fault_stream")}, testLog(t))
	defer reader.Close()
	runCtx, stopRun := context.WithCancel(ctx)
	var wg sync.WaitGroup
	defer func() { stopRun(); wg.Wait() }()
	wg.Go(func() { _ = reader.Run(runCtx, seen.handle) })

	// want counts the movements each product must have published, by reason.
	want := map[string]map[string]int{}
	for _, id := range ids {
		want[id] = map[string]int{}
	}
	restocked, reserved := 0, 0
	for i := range rounds {
		switch i {
		case rounds / 3:
			mustControl(t, ctl.Stop, "kafka")
		case rounds/3 + 20:
			mustControl(t, ctl.Start, "kafka")
		case 2 * rounds / 3:
			mustControl(t, ctl.Kill, "kafka")
		case 2*rounds/3 + 20:
			mustControl(t, ctl.Start, "kafka")
		}
		a, b := ids[i%3], ids[(i+1)%3]
		switch i % 3 {
		case 0:
			var p product
			svc.mustGQL(t, `mutation($id: ID!){ restockProduct(id: $id, quantity: 2){ _id quantity } }`,
				map[string]any{"id": a}, true, "restockProduct", &p)
			want[a]["restock"]++
			restocked += 2
		default:
			order := fmt.Sprintf("order-%d-%s", i, testenv.Name("o"))
			req := inventoryapi.ReserveRequest{OrderID: order, Lines: []inventoryapi.Line{{ProductID: a, Quantity: 1}, {ProductID: b, Quantity: 1}}}
			if code, err := svc.internal(ctx, inventoryapi.PathReservations, req); err != nil || code != 200 {
				t.Fatalf("reserve %s: %d %v", order, code, err)
			}
			want[a]["reserve"]++
			want[b]["reserve"]++
			reserved += 2
			if i%3 == 2 { // the customer cancels: the stock comes back
				if code, err := svc.internal(ctx, inventoryapi.PathReservations+"/"+order+"/release", nil); err != nil || code != 200 {
					t.Fatalf("release %s: %d %v", order, code, err)
				}
				want[a]["release"]++
				want[b]["release"]++
				reserved -= 2
			}
		}
		time.Sleep(20 * time.Millisecond)
	}

	total := 0
	for _, id := range ids {
		total += 1 + want[id]["restock"] + want[id]["reserve"] + want[id]["release"]
	}
	waitFor(t, 2*time.Minute, fmt.Sprintf("the %d stock movements to arrive", total), func() bool { return seen.count() >= total })
	time.Sleep(time.Second) // anything extra (a duplicate with a new id) would show now
	sum := 0
	for _, id := range ids {
		var p product
		svc.mustGQL(t, `query($id: ID!){ product(id: $id){ _id quantity } }`, map[string]any{"id": id}, false, "product", &p)
		if err := seen.check(id, p.Quantity, want[id]); err != nil {
			t.Error(err)
		}
		sum += p.Quantity
	}
	// Invariant: initial stock + restocks == current quantity + units in live orders.
	if 3*initial+restocked != sum+reserved {
		t.Errorf("invariant: %d initial + %d restocked != %d on hand + %d reserved", 3*initial, restocked, sum, reserved)
	}
	t.Logf("%d movements published and applied once each (%d redeliveries absorbed)", total, seen.redelivered())
}

// stockLog is an idempotent consumer of StockChanged events.
type stockLog struct {
	mu     sync.Mutex
	events map[string]events.StockChangedData // by event id
	dups   int
}

func (s *stockLog) handle(_ context.Context, e events.Envelope) error {
	if e.Type != events.StockChanged {
		return nil
	}
	var d events.StockChangedData
	if err := e.Decode(&d); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.events[e.ID]; ok {
		s.dups++
		return nil
	}
	s.events[e.ID] = d
	return nil
}

func (s *stockLog) count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.events)
}

func (s *stockLog) redelivered() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.dups
}

// check verifies one product's events: versions 1..n without gaps or
// repeats, the expected count per reason, and the deltas adding up to the
// quantity the service reports, which the last event also carries.
func (s *stockLog) check(id string, quantity int, want map[string]int) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	var mine []events.StockChangedData
	reasons := map[string]int{}
	for _, d := range s.events {
		if d.ProductID == id {
			mine = append(mine, d)
			reasons[d.Reason]++
		}
	}
	sort.Slice(mine, func(i, j int) bool { return mine[i].Version < mine[j].Version })
	sum := 0
	for i, d := range mine {
		if d.Version != int64(i+1) {
			return fmt.Errorf("product %s: event %d has version %d (lost or repeated movement)", id, i+1, d.Version)
		}
		sum += d.Delta
	}
	for r, n := range want {
		if reasons[r] != n {
			return fmt.Errorf("product %s: %d %q events, want %d (all: %v)", id, reasons[r], r, n, reasons)
		}
	}
	if len(mine) == 0 {
		return fmt.Errorf("product %s: no StockChanged event arrived", id)
	}
	if sum != quantity || mine[len(mine)-1].Quantity != quantity {
		return fmt.Errorf("product %s: events add up to %d (last says %d), service says %d", id, sum, mine[len(mine)-1].Quantity, quantity)
	}
	return nil
}
