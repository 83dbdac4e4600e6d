package shop

import (
	"context"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/shopsupergraph/shop/loadgen/gql"
)

// Audit compares, per seeded product, the units sold in CONFIRMED orders
// with the stock that left the shelf, as the admin API reports them, once
// the services report nothing left to settle: then current quantity +
// confirmed units must equal the initial stock exactly (the run restocks
// nothing). More confirmed units than that is oversell; fewer, with
// everything settled, is a leak: stock held by no confirmed order. While
// work is still settling (a release owed, an order PENDING) a gap is
// reported as such, not as a leak.
type Audit struct {
	Initial   int // units seeded
	Current   int // units on the shelf now
	Confirmed int // units in CONFIRMED orders
	Pending   int // units in PENDING orders
	// OrdersByStatus counts the seeded users' orders.
	OrdersByStatus map[string]int
	// ClientConfirmed is the units the load generator saw confirmed; it
	// can be lower than Confirmed (a timed-out request that succeeded),
	// never higher.
	ClientConfirmed int
	// Oversold and Unbalanced list products whose books do not add up.
	Oversold   []string
	Unbalanced []string
	// Details describes up to five of those products' books.
	Details []string
	// Stale counts products whose served quantity (possibly from the
	// cache) differs from the balance of their newest ledger entry, which
	// the audit takes as the truth.
	Stale int
	// Truncated says some user's order list hit the API's page limit, so
	// the audit may undercount.
	Truncated bool
	// AtStop is what the services reported still settling at the first
	// look after the load stopped, Health at the last one (when the books
	// were read).
	AtStop, Health Health
	// SettleTime is how long after the load stopped the books were found
	// exact (it includes the audit's own reads); zero unless OK.
	SettleTime time.Duration
	// Settle is how long the audit was allowed to wait.
	Settle time.Duration
}

// booksExact reports zero oversell, exact books, quantities served as the
// ledger has them and a client view that the server's confirms.
func (a *Audit) booksExact() bool {
	return len(a.Oversold) == 0 && len(a.Unbalanced) == 0 && !a.Truncated && a.ClientConfirmed <= a.Confirmed && a.Stale == 0
}

// OK reports that everything settled and the books are exact.
func (a *Audit) OK() bool {
	return a.Health.Settled() && a.booksExact()
}

// String summarizes the audit in one line: the books, the health counters,
// the settle time and the verdict.
func (a *Audit) String() string {
	var st []string
	for k, v := range a.OrdersByStatus {
		st = append(st, fmt.Sprintf("%s=%d", k, v))
	}
	sort.Strings(st)
	health := "health at load stop: " + a.AtStop.String()
	var settle, verdict string
	switch {
	case a.OK():
		settle = fmt.Sprintf("settled and books exact %s after the load stopped", a.SettleTime.Round(time.Millisecond))
		verdict = "OK: zero oversell, books exact"
	case !a.Health.Settled():
		health += "; at the deadline: " + a.Health.String()
		settle = fmt.Sprintf("not settled within %s", a.Settle)
		verdict = "FAILED: still settling at the deadline" + a.problems()
	default:
		settle = fmt.Sprintf("settled, books not exact within %s", a.Settle)
		verdict = "FAILED: books do not balance with nothing left to settle" + a.problems()
	}
	return fmt.Sprintf("stock audit: initial %d = current %d + confirmed %d (pending %d units; client saw %d confirmed); orders %s; %s; %s; %s",
		a.Initial, a.Current, a.Confirmed, a.Pending, a.ClientConfirmed, strings.Join(st, " "), health, settle, verdict)
}

// problems lists what is wrong with the books, if anything.
func (a *Audit) problems() string {
	if a.booksExact() {
		return ""
	}
	return fmt.Sprintf(": oversold %d products, unbalanced %d, stale quantity %d, truncated %v [%s]",
		len(a.Oversold), len(a.Unbalanced), a.Stale, a.Truncated, strings.Join(a.Details, "; "))
}

// auditTimeout bounds one audit request, auditBatch the products read in
// one, auditPoll the wait between two looks at the services' health.
const (
	auditTimeout = 2 * time.Minute
	auditBatch   = 10
	auditPoll    = 250 * time.Millisecond
)

// pageLimit is the orders subgraph's cap on one user's order list (MaxList).
const pageLimit = 500

// AuditStock audits the fixture after a load that stopped at stopped. It
// polls the services' health until nothing is left to settle, then reads
// the books, until they are exact or settle (counted from stopped) has
// passed: owed releases, PENDING orders and cached quantities catch up
// within moments, while oversell and leaks never go away. The books are
// read once more at the deadline, so a failed audit shows them.
func (s *Shop) AuditStock(ctx context.Context, stopped time.Time, settle time.Duration) (*Audit, error) {
	deadline := stopped.Add(settle)
	// The audit's reads scan whole collections on the embedded store, so
	// they get far longer than a load request.
	c := &gql.Client{URL: s.Client.URL, HTTP: &http.Client{Transport: s.Client.HTTP.Transport, Timeout: auditTimeout}}
	hr := &healthReader{c: c, admin: http.Header{"X-Api-Key": {s.Fixture.AdminKey}}}
	var atStop *Health
	for {
		h, err := hr.read(ctx)
		if err != nil {
			return nil, err
		}
		if atStop == nil {
			atStop = &h
		}
		late := time.Now().After(deadline)
		if h.Settled() || late {
			a, err := s.audit(ctx, c)
			if err != nil {
				return nil, err
			}
			a.AtStop, a.Health, a.Settle = *atStop, h, settle
			if a.OK() {
				a.SettleTime = time.Since(stopped)
				return a, nil
			}
			if late {
				return a, nil
			}
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(auditPoll):
		}
	}
}

func (s *Shop) audit(ctx context.Context, c *gql.Client) (*Audit, error) {
	f := s.Fixture
	admin := http.Header{"X-Api-Key": {f.AdminKey}}
	books, err := quantities(ctx, c, s.Fixture.Products, admin)
	if err != nil {
		return nil, err
	}
	type userOrders struct {
		User *struct {
			Orders []struct {
				Status   string      `json:"status"`
				Products []orderLine `json:"products"`
			} `json:"orders"`
		} `json:"user"`
	}
	results := make([]userOrders, len(f.Users))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(8)
	for i, u := range f.Users {
		g.Go(func() error {
			q := `query U($id: ID!) { user(id: $id) { orders { status products { _id quantity } } } }`
			if err := c.Call(gctx, q, map[string]any{"id": u.ID}, admin, &results[i]); err != nil {
				return fmt.Errorf("audit: orders of %s: %w", u.ID, err)
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	a := &Audit{OrdersByStatus: map[string]int{}}
	confirmed, pending := map[string]int{}, map[string]int{}
	for _, r := range results {
		if r.User == nil {
			return nil, fmt.Errorf("audit: a seeded user is missing")
		}
		if len(r.User.Orders) >= pageLimit {
			a.Truncated = true
		}
		for _, o := range r.User.Orders {
			a.OrdersByStatus[o.Status]++
			for _, ln := range o.Products {
				switch o.Status {
				case "CONFIRMED":
					confirmed[ln.ID] += ln.Quantity
				case "PENDING":
					pending[ln.ID] += ln.Quantity
				}
			}
		}
	}
	client, _ := s.Ledger.Confirmed()
	current := map[string]int{}
	for id, b := range books {
		current[id] = b.balance
		if b.served != b.balance {
			a.Stale++
			if len(a.Details) < 5 {
				a.Details = append(a.Details, fmt.Sprintf("%s: served quantity %d, ledger balance %d", id, b.served, b.balance))
			}
		}
	}
	for _, p := range f.Products {
		a.Initial += p.Stock
		a.Current += current[p.ID]
		a.Confirmed += confirmed[p.ID]
		a.Pending += pending[p.ID]
		a.ClientConfirmed += client[p.ID]
		sold := confirmed[p.ID] + current[p.ID]
		bad := true
		switch {
		case sold > p.Stock || current[p.ID] < 0:
			a.Oversold = append(a.Oversold, p.ID)
		case sold != p.Stock:
			a.Unbalanced = append(a.Unbalanced, p.ID)
		default:
			bad = false
		}
		if bad && len(a.Details) < 5 {
			a.Details = append(a.Details, fmt.Sprintf("%s: initial %d, current %d, confirmed %d, pending %d, client saw %d",
				p.ID, p.Stock, current[p.ID], confirmed[p.ID], pending[p.ID], client[p.ID]))
		}
	}
	return a, nil
}

// book is a product's served quantity and its ledger's newest balance.
type book struct{ served, balance int }

// quantities reads every seeded product's quantity and ledger balance,
// auditBatch products per request.
func quantities(ctx context.Context, c *gql.Client, ps []Product, admin http.Header) (map[string]book, error) {
	out := map[string]book{}
	for start := 0; start < len(ps); start += auditBatch {
		end := min(start+auditBatch, len(ps))
		var b strings.Builder
		b.WriteString("{")
		for i := start; i < end; i++ {
			fmt.Fprintf(&b, " p%d: product(id: %q) { _id quantity movements(take: 1) { balance } }", i, ps[i].ID)
		}
		b.WriteString(" }")
		var data map[string]*struct {
			ID        string `json:"_id"`
			Quantity  int    `json:"quantity"`
			Movements []struct {
				Balance int `json:"balance"`
			} `json:"movements"`
		}
		if err := c.Call(ctx, b.String(), nil, admin, &data); err != nil {
			return nil, fmt.Errorf("audit: quantities: %w", err)
		}
		for _, p := range data {
			if p == nil || len(p.Movements) == 0 {
				return nil, fmt.Errorf("audit: a seeded product or its ledger is missing")
			}
			out[p.ID] = book{served: p.Quantity, balance: p.Movements[0].Balance}
		}
	}
	return out, nil
}
