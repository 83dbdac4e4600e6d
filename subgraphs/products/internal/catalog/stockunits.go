package catalog

import (
	"context"
	"errors"
	"fmt"

	"github.com/shopsupergraph/shop/subgraphs/products/internal/input"
)

// StockUnits is what the inventory reads of the catalog (it satisfies
// inventory.ProductReader), by stock id: the ledger keeps one stock per
// variant, under the variant's id, and a product's default variant has
// the product's id, so stock stored before variants stays where it was.
// For a non-default variant it answers its product's data with the
// variant's id and price (and its own units), so reservations and holds
// price and check a variant exactly as they do a product.
type StockUnits struct {
	Store Storer
}

// ProductData returns the catalog data of a stock id: one point read for
// a product's id (the common case), two more for a variant's.
func (u StockUnits) ProductData(ctx context.Context, id string) (Product, error) {
	p, err := u.Store.ProductData(ctx, id)
	if !errors.Is(err, ErrNotFound) {
		return p, err
	}
	v, verr := u.Store.VariantData(ctx, id)
	if verr != nil {
		if errors.Is(verr, ErrNotFound) {
			return Product{}, err
		}
		return Product{}, fmt.Errorf("stock unit: %w", verr)
	}
	p, err = u.Store.ProductData(ctx, v.ProductID)
	if err != nil {
		return Product{}, fmt.Errorf("stock unit: %w", err)
	}
	return asUnit(p, v), nil
}

// Product returns a stock id's product with its stock: for a product's
// id the product (its quantity counts every variant), for a variant's id
// the variant's units under the variant's id.
func (u StockUnits) Product(ctx context.Context, id string) (Product, error) {
	p, err := u.Store.Product(ctx, id)
	if !errors.Is(err, ErrNotFound) {
		return p, err
	}
	v, verr := u.Store.VariantData(ctx, id)
	if verr != nil {
		if errors.Is(verr, ErrNotFound) {
			return Product{}, err
		}
		return Product{}, fmt.Errorf("stock unit: %w", verr)
	}
	p, err = u.Store.Product(ctx, v.ProductID)
	if err != nil {
		return Product{}, fmt.Errorf("stock unit: %w", err)
	}
	if full, ok := p.Variant(id); ok {
		v = full
	}
	return asUnit(p, v), nil
}

func asUnit(p Product, v Variant) Product {
	p.ID, p.Price, p.Quantity, p.DefaultQuantity, p.Variants = v.ID, int(v.Price), v.Quantity, v.Quantity, nil
	return p
}

// OwnerOf returns the product a stock id belongs to: the id itself for a
// product (or an unknown id), the variant's product otherwise.
func (u StockUnits) OwnerOf(ctx context.Context, id string) (string, error) {
	v, err := u.Store.VariantData(ctx, id)
	switch {
	case err == nil:
		return v.ProductID, nil
	case errors.Is(err, ErrNotFound):
		return id, nil
	default:
		return "", fmt.Errorf("owner of stock: %w", err)
	}
}

// StockOf returns the stock id of a line naming productID and, optionally,
// one of its variants: the product's id for its default variant (an
// empty variantID or the product's own id), the variant's id otherwise.
// A variant of another product is refused; an unknown variant id is
// returned as is, so the reservation reports it NOT_FOUND like an unknown
// product.
func (u StockUnits) StockOf(ctx context.Context, productID, variantID string) (string, error) {
	pid, err := input.ID("productId", productID)
	if err != nil || variantID == "" {
		return pid, err
	}
	vid, err := input.ID("variantId", variantID)
	if err != nil || vid == pid {
		return vid, err
	}
	v, err := u.Store.VariantData(ctx, vid)
	switch {
	case errors.Is(err, ErrNotFound):
		return vid, nil
	case err != nil:
		return "", fmt.Errorf("stock of line: %w", err)
	case v.ProductID != pid:
		return "", input.Invalid("variantId", "%s is not a variant of product %s", vid, pid)
	}
	return vid, nil
}
