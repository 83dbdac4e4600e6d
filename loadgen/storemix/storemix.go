// Package storemix measures what the document store itself can do for the
// shop's order path: it replays, with no application logic, the database
// calls one placeOrder makes (the orders service's in one database, the
// products service's reservation in another; each a separate file and
// write lock on the embedded store), from concurrent workers, and reports
// orders per second. Comparing it with loadgen's placeOrder rate shows how
// much of the store's ceiling the services reach.
//
// The mix follows the per-order operation list in docs/orders.md: every
// call is an insert or a point operation by _id. Inserts go through group
// commit (platform/groupcommit) as the services' do, or one call each when
// Options.NoGroupCommit is set.
package storemix

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"

	"github.com/shopsupergraph/shop/loadgen/hist"
	"github.com/shopsupergraph/shop/platform/groupcommit"
)

// Options shape a run.
type Options struct {
	Workers  int
	Duration time.Duration
	// Lines is the order lines per order (loadgen's orders average 2).
	Lines int
	// Products is how many products the lines pick from.
	Products int
	// NoGroupCommit sends every insert as its own call.
	NoGroupCommit bool
	// Window is the group commit window (see groupcommit.Options).
	Window time.Duration
	// NoLane lets write calls reach the store concurrently instead of one
	// at a time per database (see groupcommit.Lane).
	NoLane bool
}

// Result is a run's outcome.
type Result struct {
	Orders  int
	Elapsed time.Duration
	Latency *hist.Histogram
	// Calls is the database calls per order, by kind.
	Calls map[string]int
}

// OrdersPerSecond is the completed orders per second.
func (r Result) OrdersPerSecond() float64 { return float64(r.Orders) / r.Elapsed.Seconds() }

type inserter interface {
	InsertOne(ctx context.Context, doc any) error
}

type direct struct {
	c    *mongo.Collection
	lane *groupcommit.Lane
}

func (d direct) InsertOne(ctx context.Context, doc any) error {
	return d.lane.Do(func() error {
		_, err := d.c.InsertOne(ctx, doc)
		return err //nolint:wrapcheck // measured, not handled
	})
}

type mix struct {
	o                                              Options
	orders, transitions, work, index, obOrders     *mongo.Collection
	ledger, ops, attempts, decisions, stock, obInv *mongo.Collection
	ins                                            map[*mongo.Collection]inserter
	lanes                                          map[*mongo.Database]*groupcommit.Lane
	seq                                            atomic.Int64
	versions                                       []atomic.Int64
	mu                                             sync.Mutex
	calls                                          map[string]int
	counting                                       atomic.Bool
}

func (m *mix) count(kind string) {
	if m.counting.Load() {
		m.mu.Lock()
		m.calls[kind]++
		m.mu.Unlock()
	}
}

func (m *mix) insert(ctx context.Context, c *mongo.Collection, doc any) error {
	m.count("insert")
	if err := m.ins[c].InsertOne(ctx, doc); err != nil {
		return fmt.Errorf("insert into %s: %w", c.Name(), err)
	}
	return nil
}

func (m *mix) find(ctx context.Context, c *mongo.Collection, id string) error {
	m.count("find")
	err := c.FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Err()
	if err != nil && err != mongo.ErrNoDocuments { //nolint:errorlint // the driver returns the sentinel itself
		return fmt.Errorf("find in %s: %w", c.Name(), err)
	}
	return nil
}

func (m *mix) update(ctx context.Context, c *mongo.Collection, id string, set bson.D) error {
	m.count("update")
	if err := m.lanes[c.Database()].Do(func() error {
		_, err := c.UpdateOne(ctx, bson.D{{Key: "_id", Value: id}}, bson.D{{Key: "$set", Value: set}})
		return err //nolint:wrapcheck // wrapped below
	}); err != nil {
		return fmt.Errorf("update %s: %w", c.Name(), err)
	}
	return nil
}

func (m *mix) remove(ctx context.Context, c *mongo.Collection, id string) error {
	m.count("delete")
	if err := m.lanes[c.Database()].Do(func() error {
		_, err := c.DeleteOne(ctx, bson.D{{Key: "_id", Value: id}})
		return err //nolint:wrapcheck // wrapped below
	}); err != nil {
		return fmt.Errorf("delete from %s: %w", c.Name(), err)
	}
	return nil
}

// Run replays the mix against ordersDB and productsDB (fresh databases)
// until o.Duration has passed.
func Run(ctx context.Context, ordersDB, productsDB *mongo.Database, o Options) (Result, error) {
	o.Workers, o.Lines, o.Products = max(o.Workers, 1), max(o.Lines, 1), max(o.Products, o.Lines)
	m := &mix{
		o: o, calls: map[string]int{},
		orders: ordersDB.Collection("orders"), transitions: ordersDB.Collection("order_transitions"),
		work: ordersDB.Collection("order_work"), index: ordersDB.Collection("order_index"), obOrders: ordersDB.Collection("outbox"),
		ledger: productsDB.Collection("ledger"), ops: productsDB.Collection("inventory_ops"), attempts: productsDB.Collection("reservation_attempts"),
		decisions: productsDB.Collection("reservations"), stock: productsDB.Collection("stock"), obInv: productsDB.Collection("outbox"),
		ins:      map[*mongo.Collection]inserter{},
		lanes:    map[*mongo.Database]*groupcommit.Lane{},
		versions: make([]atomic.Int64, o.Products),
	}
	if !o.NoLane {
		m.lanes[ordersDB], m.lanes[productsDB] = &groupcommit.Lane{}, &groupcommit.Lane{}
	}
	for _, c := range []*mongo.Collection{m.orders, m.transitions, m.work, m.index, m.obOrders, m.ledger, m.ops, m.attempts, m.decisions, m.obInv} {
		lane := m.lanes[c.Database()]
		if o.NoGroupCommit {
			m.ins[c] = direct{c, lane}
		} else {
			m.ins[c] = groupcommit.New(c, groupcommit.Options{Window: o.Window, Lane: lane})
		}
	}
	// Products exist before orders arrive, each with its stock document.
	for p := range o.Products {
		if _, err := m.stock.InsertOne(ctx, bson.D{{Key: "_id", Value: fmt.Sprintf("p%04d", p)}, {Key: "version", Value: 0}}); err != nil {
			return Result{}, fmt.Errorf("seed stock: %w", err)
		}
	}
	// One order, counted, to report the calls per order.
	m.counting.Store(true)
	if err := m.order(ctx, 0); err != nil {
		return Result{}, err
	}
	m.counting.Store(false)

	res := Result{Latency: hist.New(), Calls: m.calls}
	var mu sync.Mutex
	var firstErr error
	deadline := time.Now().Add(o.Duration)
	start := time.Now()
	var wg sync.WaitGroup
	var done atomic.Int64
	for w := range o.Workers {
		wg.Go(func() {
			h := hist.New()
			for i := 0; time.Now().Before(deadline) && ctx.Err() == nil; i++ {
				t0 := time.Now()
				if err := m.order(ctx, w*7+i); err != nil {
					mu.Lock()
					if firstErr == nil {
						firstErr = err
					}
					mu.Unlock()
					return
				}
				h.Record(time.Since(t0))
				done.Add(1)
			}
			mu.Lock()
			res.Latency.Merge(h)
			mu.Unlock()
		})
	}
	wg.Wait()
	res.Elapsed, res.Orders = time.Since(start), int(done.Load())
	return res, firstErr
}

// order replays one placeOrder's calls, in the services' order.
func (m *mix) order(ctx context.Context, pick int) error {
	n := m.seq.Add(1)
	orderID := fmt.Sprintf("o%012d", n)
	user := fmt.Sprintf("u%03d", n%200)
	now := time.Now().UTC()
	// orders: history head hint and the probe of the next entry.
	if err := m.find(ctx, m.index, "head:"+user); err != nil {
		return err
	}
	if err := m.find(ctx, m.index, fmt.Sprintf("hist:%s:%012d", user, n)); err != nil {
		return err
	}
	// orders: work item and history entry at once, then the order.
	var wg sync.WaitGroup
	var werr error
	wg.Go(func() {
		werr = m.insert(ctx, m.work, bson.D{{Key: "_id", Value: orderID + ":1"}, {Key: "at", Value: now}})
	})
	herr := m.insert(ctx, m.index, bson.D{{Key: "_id", Value: fmt.Sprintf("hist:%s:%012d", user, n)}, {Key: "orderId", Value: orderID}})
	wg.Wait()
	if werr != nil || herr != nil {
		return fmt.Errorf("create: %w %w", werr, herr)
	}
	if err := m.insert(ctx, m.orders, bson.D{{Key: "_id", Value: orderID}, {Key: "userId", Value: user}, {Key: "status", Value: "PENDING"}, {Key: "createdAt", Value: now}}); err != nil {
		return err
	}
	if err := m.reserve(ctx, orderID, pick); err != nil {
		return err
	}
	// orders: the CONFIRMED step with its event, the snapshot, the newer-step
	// check, and the work item removed.
	if err := m.insert(ctx, m.obOrders, bson.D{{Key: "_id", Value: "ev-" + orderID}, {Key: "docId", Value: orderID + ":1"}}); err != nil {
		return err
	}
	if err := m.insert(ctx, m.transitions, bson.D{{Key: "_id", Value: orderID + ":1"}, {Key: "to", Value: "CONFIRMED"}}); err != nil {
		return err
	}
	if err := m.update(ctx, m.orders, orderID, bson.D{{Key: "status", Value: "CONFIRMED"}, {Key: "statusSeq", Value: 1}}); err != nil {
		return err
	}
	if err := m.find(ctx, m.transitions, orderID+":2"); err != nil {
		return err
	}
	return m.remove(ctx, m.work, orderID+":1")
}

// reserve replays products' reservation of the order's lines.
func (m *mix) reserve(ctx context.Context, orderID string, pick int) error {
	if err := m.find(ctx, m.decisions, orderID); err != nil {
		return err
	}
	if err := m.insert(ctx, m.attempts, bson.D{{Key: "_id", Value: orderID + "#1"}}); err != nil {
		return err
	}
	for l := range m.o.Lines {
		p := (pick + l*31) % m.o.Products
		pid := fmt.Sprintf("p%04d", p)
		if err := m.find(ctx, m.stock, "product:"+pid); err != nil { // the product's catalog data
			return err
		}
		v := m.versions[p].Add(1)
		key := fmt.Sprintf("%s:%012d", pid, v)
		if err := m.insert(ctx, m.obInv, bson.D{{Key: "_id", Value: "ev-" + key}, {Key: "docId", Value: key}}); err != nil {
			return err
		}
		if err := m.insert(ctx, m.ledger, bson.D{{Key: "_id", Value: key}, {Key: "opId", Value: "reserve:" + orderID + ":" + pid}, {Key: "delta", Value: -1}}); err != nil {
			return err
		}
		if err := m.insert(ctx, m.ops, bson.D{{Key: "_id", Value: "reserve:" + orderID + ":" + pid}, {Key: "version", Value: v}}); err != nil {
			return err
		}
		// The stock snapshot and its check against the ledger.
		if err := m.update(ctx, m.stock, pid, bson.D{{Key: "version", Value: v}}); err != nil {
			return err
		}
		if err := m.find(ctx, m.stock, pid); err != nil {
			return err
		}
		if err := m.find(ctx, m.ledger, fmt.Sprintf("%s:%012d", pid, v+1)); err != nil {
			return err
		}
	}
	return m.insert(ctx, m.decisions, bson.D{{Key: "_id", Value: orderID}, {Key: "status", Value: "RESERVED"}})
}
