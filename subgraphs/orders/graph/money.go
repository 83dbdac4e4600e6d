package graph

import (
	"context"
	"fmt"
	"math"
	"strconv"

	"github.com/shopsupergraph/shop/platform/gqlerr"
	"github.com/shopsupergraph/shop/subgraphs/orders/graph/model"
)

// CodeOutOfRange refuses to show an amount in a 32-bit Int field (the
// seed's total and unitPrice) that it cannot hold; the Money field next
// to it carries the amount exactly.
const CodeOutOfRange = "VALUE_OUT_OF_RANGE"

// money returns an amount of minor units in the shop's currency.
func (r *Resolver) money(minor int64) *model.Money {
	return &model.Money{Amount: strconv.FormatInt(minor, 10), Currency: r.Currency}
}

// int32Amount returns minor as a GraphQL Int, or a VALUE_OUT_OF_RANGE
// error naming the Money field to read instead: a wrapped number would be
// a wrong price.
func int32Amount(ctx context.Context, minor int64, moneyField string) (int, error) {
	if minor > math.MaxInt32 || minor < math.MinInt32 {
		return 0, gqlerr.New(ctx, CodeOutOfRange,
			fmt.Sprintf("the amount %d does not fit in a 32-bit Int; read %s instead", minor, moneyField),
			map[string]any{"amount": strconv.FormatInt(minor, 10), "moneyField": moneyField})
	}
	return int(minor), nil
}

// lineTotal is quantity * unit price; both are bounded by the order rules
// (1000 units, a total that fits in int64), so it cannot overflow.
func lineTotal(p *model.OrderProduct) int64 { return int64(p.Quantity) * p.UnitPriceMinor }
