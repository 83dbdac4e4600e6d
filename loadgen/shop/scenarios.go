package shop

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"sync"

	"github.com/shopsupergraph/shop/loadgen/gql"
	"github.com/shopsupergraph/shop/loadgen/load"
)

// Operation names as reported.
const (
	OpBrowse  = "products"
	OpOrder   = "placeOrder"
	OpHistory = "history"
)

// Scenario names accepted by Scenario.
const (
	ScenarioProducts = "products"
	ScenarioOrder    = "placeOrder"
	ScenarioMixed    = "mixed"
	// ScenarioHistory reads a random user's order history (`orders`), whose
	// cost must not grow with the orders of everybody else.
	ScenarioHistory = "history"
)

// historyQuery is a signed-in user's order list.
const historyQuery = `{ orders { _id status total createdAt products { _id quantity } } }`

// BrowseQuery is the storefront's first page, the one the products cache
// serves.
const BrowseQuery = `{ products { _id name price quantity } }`

const orderMutation = `mutation Place($p: [OrderProductInput]) { placeOrder(products: $p) { _id status total products { _id quantity } } }`

// Code of a placeOrder that answered without an error but did not confirm;
// the status is appended.
const codeStatusPrefix = "STATUS_"

// Ledger tallies, on the client side, the units of every order the router
// answered CONFIRMED, to compare with the server's own account.
type Ledger struct {
	mu        sync.Mutex
	confirmed map[string]int
	orders    int
}

// Confirmed returns units per product id and the number of orders.
func (l *Ledger) Confirmed() (map[string]int, int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := make(map[string]int, len(l.confirmed))
	for k, v := range l.confirmed {
		out[k] = v
	}
	return out, l.orders
}

func (l *Ledger) add(lines []orderLine) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.confirmed == nil {
		l.confirmed = map[string]int{}
	}
	for _, ln := range lines {
		l.confirmed[ln.ID] += ln.Quantity
	}
	l.orders++
}

type orderLine struct {
	ID       string `json:"_id"`
	Quantity int    `json:"quantity"`
}

// Shop builds scenario operations over one fixture.
type Shop struct {
	Client  *gql.Client
	Fixture *Fixture
	// MaxLines and MaxUnits bound a random order: 1..MaxLines distinct
	// products, 1..MaxUnits units each.
	MaxLines, MaxUnits int
	Ledger             Ledger
}

// Browse fetches the first products page.
func (s *Shop) Browse(ctx context.Context, _ *rand.Rand) (string, string) {
	resp, err := s.Client.Do(ctx, BrowseQuery, nil, nil)
	if err != nil {
		return OpBrowse, codeOf(err)
	}
	return OpBrowse, resp.Code()
}

// PlaceOrder places an order for a random user and random products.
func (s *Shop) PlaceOrder(ctx context.Context, rng *rand.Rand) (string, string) {
	f := s.Fixture
	u := f.Users[rng.IntN(len(f.Users))]
	n := 1 + rng.IntN(max(1, min(s.MaxLines, len(f.Products))))
	picked := map[int]bool{}
	lines := make([]map[string]any, 0, n)
	for len(lines) < n {
		i := rng.IntN(len(f.Products))
		if picked[i] {
			continue
		}
		picked[i] = true
		lines = append(lines, map[string]any{"_id": f.Products[i].ID, "quantity": 1 + rng.IntN(max(1, s.MaxUnits))})
	}
	resp, err := s.Client.Do(ctx, orderMutation, map[string]any{"p": lines}, http.Header{"Authorization": {"Bearer " + u.Token}})
	if err != nil {
		return OpOrder, codeOf(err)
	}
	if code := resp.Code(); code != "" {
		return OpOrder, code
	}
	var out struct {
		PlaceOrder struct {
			Status   string      `json:"status"`
			Products []orderLine `json:"products"`
		} `json:"placeOrder"`
	}
	if err := json.Unmarshal(resp.Data, &out); err != nil {
		return OpOrder, gql.CodeBadBody
	}
	if out.PlaceOrder.Status != "CONFIRMED" {
		return OpOrder, codeStatusPrefix + out.PlaceOrder.Status
	}
	s.Ledger.add(out.PlaceOrder.Products)
	return OpOrder, ""
}

// History reads a random user's orders.
func (s *Shop) History(ctx context.Context, rng *rand.Rand) (string, string) {
	u := s.Fixture.Users[rng.IntN(len(s.Fixture.Users))]
	resp, err := s.Client.Do(ctx, historyQuery, nil, http.Header{"Authorization": {"Bearer " + u.Token}})
	if err != nil {
		return OpHistory, codeOf(err)
	}
	return OpHistory, resp.Code()
}

// Mixed browses nine times in ten and orders once.
func (s *Shop) Mixed(ctx context.Context, rng *rand.Rand) (string, string) {
	if rng.IntN(10) == 0 {
		return s.PlaceOrder(ctx, rng)
	}
	return s.Browse(ctx, rng)
}

// Scenario returns the operation of a named scenario.
func (s *Shop) Scenario(name string) (load.Op, error) {
	switch name {
	case ScenarioProducts:
		return s.Browse, nil
	case ScenarioOrder:
		return s.PlaceOrder, nil
	case ScenarioMixed:
		return s.Mixed, nil
	case ScenarioHistory:
		return s.History, nil
	}
	return nil, fmt.Errorf("unknown scenario %q (want %s, %s, %s or %s)", name, ScenarioProducts, ScenarioOrder, ScenarioMixed, ScenarioHistory)
}

// Orders reports whether a scenario places orders, so the stock audit
// should follow it.
func Orders(scenario string) bool { return scenario == ScenarioOrder || scenario == ScenarioMixed }

func codeOf(err error) string {
	if ce, ok := errors.AsType[*gql.CodeError](err); ok {
		return ce.Code
	}
	return gql.CodeTransport
}
