package mongostore

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/bson/primitive"

	"github.com/shopsupergraph/shop/platform/fanout"
	"github.com/shopsupergraph/shop/subgraphs/products/internal/catalog"
	"github.com/shopsupergraph/shop/subgraphs/products/internal/inventory"
)

// Collections of variants. A product's non-default variants are listed in
// slots keyed "<productId>:<n>" (n = 1, 2, ...), each an insert, so that
// adding a variant never rewrites the product document (on the embedded
// store an update rewrites the whole document and could undo a concurrent
// product edit) and reading them is point reads only. SKUs are claimed
// by inserting a document keyed by the SKU: the unique `_id` keeps them
// unique on every store.
const (
	VariantsColl     = "product_variants"
	VariantSlotsColl = "product_variant_slots"
	SKUsColl         = "product_skus"
)

// maxVariants bounds the slots probed for one product.
const maxVariants = 100

type variantDoc struct {
	ID         primitive.ObjectID  `bson:"_id"`
	ProductID  string              `bson:"productId"`
	SKU        string              `bson:"sku"`
	Name       string              `bson:"name"`
	Price      int64               `bson:"price"`
	Attributes []catalog.Attribute `bson:"attributes,omitempty"`
	CreatedAt  time.Time           `bson:"createdAt"`
	UpdatedAt  time.Time           `bson:"updatedAt"`
}

func (d variantDoc) variant() catalog.Variant {
	return catalog.Variant{ID: d.ID.Hex(), ProductID: d.ProductID, SKU: d.SKU, Name: d.Name, Price: d.Price,
		Attributes: d.Attributes, CreatedAt: d.CreatedAt.UTC(), UpdatedAt: d.UpdatedAt.UTC()}
}

type slotDoc struct {
	ID        string `bson:"_id"`
	VariantID string `bson:"variantId"`
}

type skuDoc struct {
	ID        string `bson:"_id"`
	VariantID string `bson:"variantId"`
}

func slotKey(productID string, n int) string { return productID + ":" + strconv.Itoa(n) }

// ClaimSKU implements catalog.Storer: an insert keyed by the SKU, so two
// variants can never hold the same one.
func (s *Store) ClaimSKU(ctx context.Context, sku, variantID string) error {
	_, err := s.db.Collection(SKUsColl).InsertOne(ctx, skuDoc{ID: sku, VariantID: variantID})
	return translate("claim sku", err)
}

// ReleaseSKU implements catalog.Storer.
func (s *Store) ReleaseSKU(ctx context.Context, sku string) error {
	_, err := s.db.Collection(SKUsColl).DeleteOne(ctx, bson.D{{Key: "_id", Value: sku}})
	return translate("release sku", err)
}

// InsertVariant implements catalog.Storer: the variant's document, then
// its slot in the product's list (the next free position).
func (s *Store) InsertVariant(ctx context.Context, v catalog.Variant) error {
	id, err := oid(v.ID)
	if err != nil {
		return err
	}
	d := variantDoc{ID: id, ProductID: v.ProductID, SKU: v.SKU, Name: v.Name, Price: v.Price,
		Attributes: v.Attributes, CreatedAt: v.CreatedAt, UpdatedAt: v.UpdatedAt}
	if _, err := s.db.Collection(VariantsColl).InsertOne(ctx, d); err != nil {
		return translate("insert variant", err)
	}
	slots := s.db.Collection(VariantSlotsColl)
	for n := 1; n <= maxVariants; n++ {
		_, err := slots.InsertOne(ctx, slotDoc{ID: slotKey(v.ProductID, n), VariantID: v.ID})
		if err == nil {
			return nil
		}
		if err := translate("insert variant slot", err); !errors.Is(err, catalog.ErrDuplicate) {
			return err
		}
	}
	return fmt.Errorf("insert variant: %w", catalog.ErrTooManyVariants)
}

// UpdateVariant implements catalog.Storer: a non-default variant's data.
func (s *Store) UpdateVariant(ctx context.Context, v catalog.Variant) error {
	id, err := oid(v.ID)
	if err != nil {
		return err
	}
	res, err := s.db.Collection(VariantsColl).UpdateOne(ctx, bson.D{{Key: "_id", Value: id}}, bson.D{{Key: "$set", Value: bson.D{
		{Key: "sku", Value: v.SKU}, {Key: "name", Value: v.Name}, {Key: "price", Value: v.Price},
		{Key: "attributes", Value: v.Attributes}, {Key: "updatedAt", Value: v.UpdatedAt},
	}}})
	if err != nil {
		return translate("update variant", err)
	}
	if res.MatchedCount == 0 {
		return fmt.Errorf("update variant: %w", catalog.ErrNotFound)
	}
	return nil
}

// VariantData implements catalog.Storer: a non-default variant without
// its stock, by `_id`.
func (s *Store) VariantData(ctx context.Context, id string) (catalog.Variant, error) {
	o, err := oid(id)
	if err != nil {
		return catalog.Variant{}, err
	}
	var d variantDoc
	if err := s.db.Collection(VariantsColl).FindOne(ctx, bson.D{{Key: "_id", Value: o}}).Decode(&d); err != nil {
		return catalog.Variant{}, translate("find variant", err)
	}
	return d.variant(), nil
}

// variantIDs probes a product's slots: one point read per variant and
// one more for the first free slot.
func (s *Store) variantIDs(ctx context.Context, productID string) ([]string, error) {
	slots := s.db.Collection(VariantSlotsColl)
	var ids []string
	for n := 1; n <= maxVariants; n++ {
		var d slotDoc
		err := slots.FindOne(ctx, bson.D{{Key: "_id", Value: slotKey(productID, n)}}).Decode(&d)
		if err := translate("find variant slot", err); errors.Is(err, catalog.ErrNotFound) {
			break
		} else if err != nil {
			return nil, err
		}
		ids = append(ids, d.VariantID)
	}
	return ids, nil
}

// withVariants adds a product's other variants, each with its stock, and
// counts their units into the product's quantity.
func (s *Store) withVariants(ctx context.Context, p catalog.Product) (catalog.Product, error) {
	ids, err := s.variantIDs(ctx, p.ID)
	if err != nil || len(ids) == 0 {
		return p, err
	}
	vs := make([]catalog.Variant, len(ids))
	err = fanout.Each(ctx, len(ids), fanout.PointReads, func(ctx context.Context, i int) error {
		v, err := s.VariantData(ctx, ids[i])
		if err != nil {
			return err
		}
		st, err := s.stock.Stock(ctx, v.ID)
		if err != nil && !errors.Is(err, inventory.ErrNotFound) {
			return err
		}
		v.Quantity = st.Quantity
		vs[i] = v
		return nil
	})
	if err != nil {
		return catalog.Product{}, fmt.Errorf("read variants: %w", err)
	}
	p.Variants = vs
	for _, v := range vs {
		p.Quantity += v.Quantity
		if v.UpdatedAt.After(p.UpdatedAt) {
			p.UpdatedAt = v.UpdatedAt
		}
	}
	return p, nil
}
