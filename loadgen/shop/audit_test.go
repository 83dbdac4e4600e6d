package shop

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/shopsupergraph/shop/loadgen/gql"
)

// fakeShop answers the audit's queries as a router would: one product
// with 10 units seeded, one user whose single order holds 3 of them, and
// health counters the test sets. A release owed by a cancelled order keeps
// 2 units off the shelf until the test acknowledges it.
type fakeShop struct {
	mu sync.Mutex
	// inventory says whether the supergraph has inventoryHealth.
	inventory bool
	// owed is the release still owed; undecided products' counter.
	owed, undecided int
	// leak takes units off the shelf for good.
	leak int
	// inventoryAsks counts inventoryHealth requests.
	inventoryAsks int
}

var productAlias = regexp.MustCompile(`(p\d+): product\(id: "([^"]+)"\)`)

func (f *fakeShop) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Query string `json:"query"`
	}
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil || r.Header.Get("X-Api-Key") != "admin" {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	var data any
	switch q := req.Query; {
	case strings.Contains(q, "orderHealth"):
		h := map[string]any{"unsettledSteps": f.owed, "owedReleases": f.owed, "pendingOrders": 0, "oldestUnsettledAgeSeconds": nil}
		if f.owed > 0 {
			h["oldestUnsettledAgeSeconds"] = 3
		}
		data = map[string]any{"orderHealth": h}
	case strings.Contains(q, "inventoryHealth"):
		f.inventoryAsks++
		if !f.inventory {
			writeJSON(w, map[string]any{"errors": []any{map[string]any{
				"message":    `Cannot query field "inventoryHealth" on type "Query".`,
				"extensions": map[string]any{"code": "GRAPHQL_VALIDATION_FAILED"},
			}}})
			return
		}
		data = map[string]any{"inventoryHealth": map[string]any{"undecidedReservations": f.undecided, "dirtySnapshots": 0}}
	case strings.Contains(q, "user(id:"):
		data = map[string]any{"user": map[string]any{"orders": []any{
			map[string]any{"status": "CONFIRMED", "products": []any{map[string]any{"_id": "p1", "quantity": 3}}},
			map[string]any{"status": "CANCELLED", "products": []any{map[string]any{"_id": "p1", "quantity": 2}}},
		}}}
	default:
		balance := 10 - 3 - 2*min(f.owed, 1) - f.leak
		out := map[string]any{}
		for _, m := range productAlias.FindAllStringSubmatch(q, -1) {
			out[m[1]] = map[string]any{"_id": m[2], "quantity": balance, "movements": []any{map[string]any{"balance": balance}}}
		}
		data = out
	}
	writeJSON(w, map[string]any{"data": data})
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	if err := json.NewEncoder(w).Encode(v); err != nil {
		panic(fmt.Sprintf("encode: %v", err))
	}
}

func (f *fakeShop) set(fn func(f *fakeShop)) {
	f.mu.Lock()
	defer f.mu.Unlock()
	fn(f)
}

// TestAuditStock: the audit waits while orders owes a release (a gap in
// the books then is not a leak), passes once it is acknowledged and the
// books are exact, and tells a run still settling at the deadline from a
// leak with nothing left to settle. Products' inventoryHealth is used
// when the supergraph has it and skipped when it does not.
func TestAuditStock(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		inventory bool
		owed      int
		undecided int
		leak      int
		// settleAfter acknowledges everything this long after the start;
		// zero never does.
		settleAfter time.Duration
		wantOK      bool
		want        []string
	}{
		{name: "settles without inventory health", owed: 1, settleAfter: 300 * time.Millisecond, wantOK: true,
			want: []string{"health at load stop: unsettled steps 1, owed releases 1, pending orders 0 (oldest 3s); inventory health not available; settled and books exact ", "OK: zero oversell, books exact"}},
		{name: "settles with inventory health", inventory: true, owed: 1, undecided: 2, settleAfter: 300 * time.Millisecond, wantOK: true,
			want: []string{"health at load stop: unsettled steps 1, owed releases 1, pending orders 0 (oldest 3s); undecided reservations 2, dirty snapshots 0; settled", "OK: zero oversell, books exact"}},
		{name: "still settling at the deadline", inventory: true, owed: 1, undecided: 1,
			want: []string{"; at the deadline: unsettled steps 1, owed releases 1, pending orders 0 (oldest 3s); undecided reservations 1, dirty snapshots 0; not settled within 1s; FAILED: still settling at the deadline: "}},
		{name: "leak", leak: 1,
			want: []string{"health at load stop: unsettled steps 0, owed releases 0, pending orders 0; inventory health not available; settled, books not exact within 1s", "FAILED: books do not balance with nothing left to settle", "unbalanced 1", "p1: initial 10, current 6, confirmed 3"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := &fakeShop{inventory: tc.inventory, owed: tc.owed, undecided: tc.undecided, leak: tc.leak}
			srv := httptest.NewServer(f)
			t.Cleanup(srv.Close)
			s := &Shop{
				Client:  gql.NewClient(srv.URL, 1, 5*time.Second),
				Fixture: &Fixture{AdminKey: "admin", Users: []User{{ID: "u1"}}, Products: []Product{{ID: "p1", Stock: 10}}},
			}
			stopped := time.Now()
			if tc.settleAfter > 0 {
				time.AfterFunc(tc.settleAfter, func() { f.set(func(f *fakeShop) { f.owed, f.undecided = 0, 0 }) })
			}
			a, err := s.AuditStock(context.Background(), stopped, time.Second)
			if err != nil {
				t.Fatal(err)
			}
			line := a.String()
			if a.OK() != tc.wantOK {
				t.Fatalf("OK() = %v, want %v: %s", a.OK(), tc.wantOK, line)
			}
			for _, w := range tc.want {
				if !strings.Contains(line, w) {
					t.Errorf("audit line lacks %q:\n%s", w, line)
				}
			}
			if tc.wantOK && (a.SettleTime < tc.settleAfter || a.SettleTime > 5*time.Second) {
				t.Errorf("settle time %s, want from %s", a.SettleTime, tc.settleAfter)
			}
			f.set(func(f *fakeShop) {
				if !tc.inventory && f.inventoryAsks != 1 {
					t.Errorf("inventoryHealth asked %d times, want once (then known to be missing)", f.inventoryAsks)
				}
			})
		})
	}
}
