package mongostore

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/bson/primitive"
	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"

	"github.com/shopsupergraph/shop/platform/fanout"
	"github.com/shopsupergraph/shop/subgraphs/products/internal/catalog"
	"github.com/shopsupergraph/shop/subgraphs/products/internal/inventory"
)

// pageIndexes serve the product connection: one per sort order, each
// led by deletedAt (every page reads products on sale) and ending with
// _id (the tie-breaker of the keyset), and one for category filters. The
// STOCK sort's index (deletedAt, available, _id) also serves the inStock
// filter, a range on available. The embedded store pushes none of them
// down (it scans, see DESIGN.md); MongoDB uses them.
func pageIndexes() []mongo.IndexModel {
	out := make([]mongo.IndexModel, 0, 5)
	for _, f := range []catalog.SortField{catalog.SortName, catalog.SortPrice, catalog.SortCreated, catalog.SortStock} {
		out = append(out, mongo.IndexModel{Keys: bson.D{{Key: "deletedAt", Value: 1}, {Key: string(f), Value: 1}, {Key: "_id", Value: 1}}})
	}
	return append(out, mongo.IndexModel{Keys: bson.D{{Key: "categoryIds", Value: 1}, {Key: "deletedAt", Value: 1}, {Key: "_id", Value: 1}}})
}

// filterDoc is the query of a filter, without paging.
func filterDoc(f catalog.Filter) bson.D {
	d := bson.D{{Key: "deletedAt", Value: nil}}
	if f.CategoryIDs != nil {
		d = append(d, bson.E{Key: "categoryIds", Value: bson.D{{Key: "$in", Value: f.CategoryIDs}}})
	}
	if f.PriceGTE != nil || f.PriceLTE != nil {
		r := bson.D{}
		if f.PriceGTE != nil {
			r = append(r, bson.E{Key: "$gte", Value: *f.PriceGTE})
		}
		if f.PriceLTE != nil {
			r = append(r, bson.E{Key: "$lte", Value: *f.PriceLTE})
		}
		d = append(d, bson.E{Key: "price", Value: r})
	}
	if f.InStock != nil {
		// A document without the figure (stored before it) matches
		// neither: the start-up backfill gives every product one.
		op := "$gt"
		if !*f.InStock {
			op = "$lte"
		}
		d = append(d, bson.E{Key: "available", Value: bson.D{{Key: op, Value: 0}}})
	}
	if f.Search != "" {
		re := primitive.Regex{Pattern: regexp.QuoteMeta(f.Search), Options: "i"}
		d = append(d, bson.E{Key: "$or", Value: bson.A{
			bson.D{{Key: "name", Value: re}}, bson.D{{Key: "description", Value: re}},
		}})
	}
	return d
}

// keyValue is a cursor's sort key as stored.
func keyValue(c catalog.Cursor) any {
	switch c.Field {
	case catalog.SortName:
		return c.Name
	case catalog.SortPrice:
		return c.Price
	case catalog.SortStock:
		return c.Stock
	default:
		return c.At
	}
}

// beyond selects the documents strictly after c in the order (asc when
// up, else desc) of field then _id.
func beyond(field string, c catalog.Cursor, up bool) (bson.D, error) {
	id, err := oid(c.ID)
	if err != nil {
		return nil, err
	}
	op := "$gt"
	if !up {
		op = "$lt"
	}
	k := keyValue(c)
	return bson.D{{Key: "$or", Value: bson.A{
		bson.D{{Key: field, Value: bson.D{{Key: op, Value: k}}}},
		bson.D{{Key: field, Value: k}, {Key: "_id", Value: bson.D{{Key: op, Value: id}}}},
	}}}, nil
}

// PageProducts implements catalog.Storer: one keyset query of at most
// First+1 (or Last+1) documents over the sort order's index, one count,
// then the products' stock and variants by point reads.
func (s *Store) PageProducts(ctx context.Context, q catalog.PageQuery) (catalog.Page, error) {
	field := string(q.Sort)
	base := filterDoc(q.Filter)
	// Forward reads in the requested order from After; backward (last)
	// reads in the opposite order from Before, then turns the page round.
	backward := q.Last > 0 || (q.First == 0 && q.Before != nil)
	size := q.First
	if backward {
		size = q.Last
	}
	up := !q.Desc
	from, to := q.After, q.Before
	if backward {
		up, from, to = !up, q.Before, q.After
	}
	conds := bson.A{base}
	if from != nil {
		c, err := beyond(field, *from, up)
		if err != nil {
			return catalog.Page{}, err
		}
		conds = append(conds, c)
	}
	if to != nil {
		c, err := beyond(field, *to, !up)
		if err != nil {
			return catalog.Page{}, err
		}
		conds = append(conds, c)
	}
	dir := 1
	if !up {
		dir = -1
	}
	var page catalog.Page
	total, err := s.products.CountDocuments(ctx, base)
	if err != nil {
		return catalog.Page{}, translate("count products", err)
	}
	page.TotalCount = int(total)
	if size == 0 {
		return page, nil
	}
	opts := options.Find().SetSort(bson.D{{Key: field, Value: dir}, {Key: "_id", Value: dir}}).SetLimit(int64(size) + 1)
	cur, err := s.products.Find(ctx, bson.D{{Key: "$and", Value: conds}}, opts)
	if err != nil {
		return catalog.Page{}, translate("page products", err)
	}
	var docs []productDoc
	if err := cur.All(ctx, &docs); err != nil {
		return catalog.Page{}, translate("page products", err)
	}
	more := len(docs) > size
	if more {
		docs = docs[:size]
	}
	if backward {
		slices.Reverse(docs)
		page.HasPreviousPage, page.HasNextPage = more, q.Before != nil
	} else {
		page.HasNextPage, page.HasPreviousPage = more, q.After != nil
	}
	page.Products = make([]catalog.Product, len(docs))
	err = fanout.Each(ctx, len(docs), fanout.PointReads, func(ctx context.Context, i int) error {
		p := docs[i].product()
		st, err := s.stock.Stock(ctx, p.ID)
		if err != nil && !errors.Is(err, inventory.ErrNotFound) {
			return err
		}
		page.Products[i], err = s.withVariants(ctx, withStock(p, st))
		return err
	})
	if err != nil {
		return catalog.Page{}, fmt.Errorf("page products: %w", err)
	}
	return page, nil
}
