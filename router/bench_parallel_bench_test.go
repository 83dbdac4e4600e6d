package router_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/shopsupergraph/shop/router/app"
)

// BenchmarkBenchmarkQueryParallel sends the benchmark query from 50
// concurrent clients, like the harness's 50 virtual users. With
// deduplication on, concurrent identical requests share one execution, so
// it measures what a mostly deduplicated request costs the router; without
// it, every request does the full fan-out.
func BenchmarkBenchmarkQueryParallel(b *testing.B) {
	for _, tc := range []struct {
		name              string
		dedup, multiFetch bool
	}{
		{"dedup", true, false},
		{"nodedup", false, false},
		{"nodedup-multifetch", false, true},
	} {
		b.Run(tc.name, func(b *testing.B) {
			srvURL := startBenchRouterWith(b, func(c *app.Config) {
				dedup := tc.dedup
				c.Deduplication = &dedup
				c.MultiFetch = tc.multiFetch
			})
			query, err := os.ReadFile(filepath.Join(benchDir, "load", "query.graphql"))
			if err != nil {
				b.Fatal(err)
			}
			body, _ := json.Marshal(map[string]string{"query": string(query)})
			client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
			b.Cleanup(client.CloseIdleConnections)
			b.ReportAllocs()
			b.SetParallelism(25) // 50 clients on 2 CPUs
			b.ResetTimer()
			cpu0 := processCPU(b)
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					resp, err := client.Post(srvURL+"/graphql", "application/json", bytes.NewReader(body))
					if err != nil {
						b.Error(err)
						return
					}
					_, _ = io.Copy(io.Discard, resp.Body)
					_ = resp.Body.Close()
				}
			})
			b.StopTimer()
			// CPU of this process (router and the in-process clients), not
			// of the subgraphs or anything else on the machine: steadier than
			// ns/op on a shared machine.
			b.ReportMetric(float64(processCPU(b)-cpu0)/float64(b.N), "cpu-ns/op")
		})
	}
}

// processCPU returns the user and system CPU time of this process in ns.
func processCPU(b *testing.B) int64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return ru.Utime.Nano() + ru.Stime.Nano()
}
