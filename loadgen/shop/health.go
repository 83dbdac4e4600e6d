package shop

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"github.com/shopsupergraph/shop/loadgen/gql"
)

// Health is the work the services report as still settling: orders' steps
// on its recovery work list and, when products offers it, its inventory
// work. While any counter is above zero the books cannot be exact yet, and
// a gap in them is not (yet) a leak.
type Health struct {
	// UnsettledSteps counts order steps not settled yet.
	UnsettledSteps int
	// OwedReleases counts order steps that owe products a release it has
	// not acknowledged: stock still held for a rejected or cancelled order.
	OwedReleases int
	// PendingOrders counts orders whose outcome is not decided yet.
	PendingOrders int
	// OldestUnsettled is the age in seconds of the oldest unsettled step
	// (0 when none).
	OldestUnsettled int
	// Inventory says whether products answered inventoryHealth; before
	// products offers it the two counters below stay zero.
	Inventory bool
	// UndecidedReservations counts reservations products holds whose
	// order it has not learned the outcome of.
	UndecidedReservations int
	// DirtySnapshots counts stock snapshots behind their ledger.
	DirtySnapshots int
}

// Settled reports whether every counter is zero.
func (h Health) Settled() bool {
	return h.UnsettledSteps == 0 && h.OwedReleases == 0 && h.PendingOrders == 0 &&
		h.UndecidedReservations == 0 && h.DirtySnapshots == 0
}

// String lists the counters, orders' first.
func (h Health) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "unsettled steps %d, owed releases %d, pending orders %d", h.UnsettledSteps, h.OwedReleases, h.PendingOrders)
	if h.OldestUnsettled > 0 {
		fmt.Fprintf(&b, " (oldest %ds)", h.OldestUnsettled)
	}
	if h.Inventory {
		fmt.Fprintf(&b, "; undecided reservations %d, dirty snapshots %d", h.UndecidedReservations, h.DirtySnapshots)
	} else {
		b.WriteString("; inventory health not available")
	}
	return b.String()
}

const (
	orderHealthQuery     = `{ orderHealth { unsettledSteps owedReleases pendingOrders oldestUnsettledAgeSeconds } }`
	inventoryHealthQuery = `{ inventoryHealth { undecidedReservations dirtySnapshots } }`
)

// healthReader polls both subgraphs' health through the router. It asks
// for inventoryHealth in a request of its own, so a supergraph without it
// (products not updated yet) fails that request alone; the answer is
// remembered for the reader's life.
type healthReader struct {
	c     *gql.Client
	admin http.Header
	// noInventory is set once the router said inventoryHealth does not exist.
	noInventory bool
}

func (r *healthReader) read(ctx context.Context) (Health, error) {
	var h Health
	var orders struct {
		OrderHealth struct {
			UnsettledSteps            int  `json:"unsettledSteps"`
			OwedReleases              int  `json:"owedReleases"`
			PendingOrders             int  `json:"pendingOrders"`
			OldestUnsettledAgeSeconds *int `json:"oldestUnsettledAgeSeconds"`
		} `json:"orderHealth"`
	}
	if err := r.c.Call(ctx, orderHealthQuery, nil, r.admin, &orders); err != nil {
		return h, fmt.Errorf("audit: order health: %w", err)
	}
	o := orders.OrderHealth
	h.UnsettledSteps, h.OwedReleases, h.PendingOrders = o.UnsettledSteps, o.OwedReleases, o.PendingOrders
	if o.OldestUnsettledAgeSeconds != nil {
		h.OldestUnsettled = *o.OldestUnsettledAgeSeconds
	}
	if r.noInventory {
		return h, nil
	}
	resp, err := r.c.Do(ctx, inventoryHealthQuery, nil, r.admin)
	if err != nil {
		return h, fmt.Errorf("audit: inventory health: %w", err)
	}
	if len(resp.Errors) > 0 && strings.Contains(resp.Errors[0].Message, `Cannot query field "inventoryHealth"`) {
		r.noInventory = true
		return h, nil
	}
	if err := resp.Err(); err != nil {
		return h, fmt.Errorf("audit: inventory health: %w", err)
	}
	var inv struct {
		InventoryHealth *struct {
			UndecidedReservations int `json:"undecidedReservations"`
			DirtySnapshots        int `json:"dirtySnapshots"`
		} `json:"inventoryHealth"`
	}
	if err := json.Unmarshal(resp.Data, &inv); err != nil {
		return h, fmt.Errorf("audit: inventory health: %w", err)
	}
	if inv.InventoryHealth == nil {
		return h, fmt.Errorf("audit: inventory health: no data")
	}
	h.Inventory = true
	h.UndecidedReservations, h.DirtySnapshots = inv.InventoryHealth.UndecidedReservations, inv.InventoryHealth.DirtySnapshots
	return h, nil
}
