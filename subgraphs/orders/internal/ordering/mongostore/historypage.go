package mongostore

import (
	"context"
	"fmt"

	"go.mongodb.org/mongo-driver/bson"

	"github.com/shopsupergraph/shop/platform/fanout"
	"github.com/shopsupergraph/shop/platform/readbudget"
	"github.com/shopsupergraph/shop/subgraphs/orders/internal/ordering"
)

// HistoryPage returns one page of a user's orders in the order their
// history entries were recorded, by point reads only (see IndexCollection):
// the newest entry number, then entries walking down (q.Desc) or up from
// the cursor's entry, then the orders they name. Entries whose order is
// missing or belongs to someone else are skipped, as History does, and so
// is a second entry of one order. total is the number of entries, which
// equals the number of orders unless a placement failed between its entry
// and its order document, or was retried.
func (s *Store) HistoryPage(ctx context.Context, userID string, q ordering.PageQuery) ([]ordering.PageItem, bool, int, error) {
	top, err := s.historyTop(ctx, userID)
	if err != nil {
		return nil, false, 0, fmt.Errorf("history page: %w", err)
	}
	step, seq := int64(-1), top
	if !q.Desc {
		step, seq = 1, 1
	}
	if q.After != nil {
		seq = q.After.Seq + step
	}
	var out []ordering.PageItem
	seen := map[string]bool{}
	inRange := func(n int64) bool { return n >= 1 && n <= top }
	for inRange(seq) && len(out) <= q.Limit {
		// Read as many entries as the page still lacks (one more to learn
		// whether more follow), charged with their orders up front.
		n := int64(q.Limit + 1 - len(out))
		if step < 0 {
			n = min(n, seq)
		} else {
			n = min(n, top-seq+1)
		}
		if err := readbudget.Spend(ctx, int(n)*(1+getReads)); err != nil {
			return nil, false, 0, fmt.Errorf("history page: %w", err)
		}
		free := readbudget.Without(ctx)
		ids := make([]string, n)
		err := fanout.Each(free, int(n), fanout.PointReads, func(ctx context.Context, i int) error {
			var d histDoc
			if err := s.index.FindOne(ctx, bson.D{{Key: "_id", Value: histID(userID, seq+step*int64(i))}}).Decode(&d); err != nil {
				return fmt.Errorf("read history entry: %w", err)
			}
			ids[i] = d.OrderID
			return nil
		})
		if err != nil {
			return nil, false, 0, fmt.Errorf("history page: %w", err)
		}
		orders, err := s.GetMany(free, ids)
		if err != nil {
			return nil, false, 0, fmt.Errorf("history page: %w", err)
		}
		byID := make(map[string]ordering.Order, len(orders))
		for _, o := range orders {
			byID[o.ID] = o
		}
		for i, id := range ids {
			o, ok := byID[id]
			entry := seq + step*int64(i)
			// A retried create leaves a second entry: only the one the
			// order names counts, so no order shows on two pages.
			if !ok || o.UserID != userID || seen[id] || len(out) > q.Limit || (o.HistorySeq != 0 && o.HistorySeq != entry) {
				continue
			}
			seen[id] = true
			c := ordering.CursorOf(ordering.SortCreated, o)
			c.Seq = entry
			out = append(out, ordering.PageItem{Order: o, Cursor: c})
		}
		seq += step * n
	}
	more := len(out) > q.Limit
	if more {
		out = out[:q.Limit]
	}
	return out, more, int(top), nil
}
