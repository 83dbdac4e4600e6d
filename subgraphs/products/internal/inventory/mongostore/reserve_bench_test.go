package mongostore_test

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"sync"
	"testing"

	"go.mongodb.org/mongo-driver/event"
	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"

	"github.com/shopsupergraph/shop/platform/testenv"
	"github.com/shopsupergraph/shop/subgraphs/products/internal/catalog"
	"github.com/shopsupergraph/shop/subgraphs/products/internal/inventory"
	"github.com/shopsupergraph/shop/subgraphs/products/internal/storetest"
)

// commandCounter counts the MongoDB commands a client sends, by name.
type commandCounter struct {
	mu sync.Mutex
	n  map[string]int
}

func (c *commandCounter) monitor() *event.CommandMonitor {
	return &event.CommandMonitor{Started: func(_ context.Context, e *event.CommandStartedEvent) {
		c.mu.Lock()
		c.n[e.CommandName]++
		c.mu.Unlock()
	}}
}

func (c *commandCounter) reset() map[string]int {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := c.n
	c.n = map[string]int{}
	return out
}

// BenchmarkReserveRoundTrips reports the MongoDB commands one reservation
// costs: 200 buyers race for 20 units through two services (two replicas'
// worth of locks) over one database, as in the end-to-end race.
//
//	go test -run '^$' -bench ReserveRoundTrips -benchtime 3x ./internal/inventory/mongostore/
func BenchmarkReserveRoundTrips(b *testing.B) {
	env := testenv.Get(b)
	ctx := context.Background()
	counter := &commandCounter{n: map[string]int{}}
	client, err := mongo.Connect(ctx, options.Client().ApplyURI(env.MongoURI).SetMonitor(counter.monitor()))
	if err != nil {
		b.Fatal(err)
	}
	defer client.Disconnect(ctx)
	st := storetest.New(client.Database(testenv.Name("roundtrips")), "t")
	st.EnsureIndexes(b)
	products, a := st.Services()
	_, other := st.Services()
	svcs := []*inventory.Service{a, other}
	const buyers, units = 200, 20
	total := map[string]int{}
	for i := 0; b.Loop(); i++ {
		b.StopTimer()
		p, err := products.Create(ctx, catalog.CreateInput{Name: "race", Price: 1, Quantity: units})
		if err != nil {
			b.Fatal(err)
		}
		counter.reset()
		b.StartTimer()
		var wg sync.WaitGroup
		for j := range buyers {
			wg.Go(func() {
				if _, err := svcs[j%2].Reserve(ctx, fmt.Sprintf("rt-%d-%d", i, j), []inventory.Line{{ProductID: p.ID, Quantity: 1}}); err != nil {
					b.Errorf("reserve: %v", err)
				}
			})
		}
		wg.Wait()
		for k, v := range counter.reset() {
			total[k] += v
		}
	}
	sum := 0
	for _, k := range slices.Sorted(maps.Keys(total)) {
		sum += total[k]
		b.ReportMetric(float64(total[k])/float64(b.N*buyers), k+"/op")
	}
	b.ReportMetric(float64(sum)/float64(b.N*buyers), "cmds/reservation")
}
