package app_test

import (
	"fmt"
	"net/http"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/shopsupergraph/shop/platform/inventoryapi"
	"github.com/shopsupergraph/shop/platform/testenv"
)

// BenchmarkContendedReservations replays the end-to-end race: 200 buyers
// of one product with 20 units, split over two replicas sharing one
// database. It reports the slowest and typical reservation latencies (the
// orders service gives an attempt 2 s) and the time for all 200.
//
//	go test -run '^$' -bench ContendedReservations -benchtime 5x ./app/
func BenchmarkContendedReservations(b *testing.B) {
	env := testenv.Get(b)
	sh := newShared()
	a, c := start(b, env, sh), start(b, env, sh)
	const buyers, units = 200, 20
	var lat []time.Duration
	var total time.Duration
	for i := 0; b.Loop(); i++ {
		b.StopTimer()
		p := a.create(b, fmt.Sprintf("race %d", i), 100, units)
		b.StartTimer()
		begin := time.Now()
		var mu sync.Mutex
		var wg sync.WaitGroup
		reserved := 0
		for j := range buyers {
			in := a
			if j%2 == 1 {
				in = c
			}
			wg.Go(func() {
				t0 := time.Now()
				code, _ := in.reserve(b, fmt.Sprintf("bench-%d-%d", i, j), inventoryapi.Line{ProductID: p.ID, Quantity: 1})
				d := time.Since(t0)
				mu.Lock()
				defer mu.Unlock()
				lat = append(lat, d)
				if code == http.StatusOK {
					reserved++
				}
			})
		}
		wg.Wait()
		total += time.Since(begin)
		if reserved != units {
			b.Fatalf("reserved %d, want %d", reserved, units)
		}
	}
	slices.Sort(lat)
	pct := func(q float64) float64 { return float64(lat[int(q*float64(len(lat)-1))].Milliseconds()) }
	b.ReportMetric(pct(0.5), "p50-ms")
	b.ReportMetric(pct(0.99), "p99-ms")
	b.ReportMetric(pct(1), "max-ms")
	b.ReportMetric(float64(total.Milliseconds())/float64(b.N), "ms/race")
}
