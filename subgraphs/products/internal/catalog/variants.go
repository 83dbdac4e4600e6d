package catalog

import (
	"context"
	"errors"
	"fmt"

	"go.mongodb.org/mongo-driver/bson/primitive"

	"github.com/shopsupergraph/shop/subgraphs/products/internal/input"
)

// VariantInput is a new variant of a product.
type VariantInput struct {
	SKU        string
	Name       string
	Price      int64
	Quantity   int
	Attributes []Attribute
}

// VariantUpdate changes a variant; nil fields stay unchanged.
type VariantUpdate struct {
	SKU        *string
	Name       *string
	Price      *int64
	Attributes []Attribute
	// SetAttributes says Attributes replaces the variant's attributes
	// (nil Attributes with SetAttributes clears them).
	SetAttributes bool
}

// Variant returns a variant with its stock and its product: a product's
// own id names its default variant.
func (s *Service) Variant(ctx context.Context, id string) (Variant, Product, error) {
	id, err := input.ID("id", id)
	if err != nil {
		return Variant{}, Product{}, err
	}
	owner := id
	v, err := s.store.VariantData(ctx, id)
	switch {
	case err == nil:
		owner = v.ProductID
	case !errors.Is(err, ErrNotFound):
		return Variant{}, Product{}, fmt.Errorf("get variant: %w", err)
	}
	p, err := s.store.Product(ctx, owner)
	if err != nil {
		return Variant{}, Product{}, fmt.Errorf("get variant: %w", err)
	}
	found, ok := p.Variant(id)
	if !ok {
		return Variant{}, Product{}, fmt.Errorf("get variant: %w", ErrNotFound)
	}
	return found, p, nil
}

// CreateVariant adds a variant with its own SKU, price and initial stock
// to a product on sale. The SKU is claimed first (an insert keyed by
// it), then the stock is opened and the variant stored: a crash in
// between leaves a claimed SKU or stock no one reads, never a variant
// without stock.
func (s *Service) CreateVariant(ctx context.Context, productID string, in VariantInput) (Variant, error) {
	productID, err := input.ID("productId", productID)
	if err != nil {
		return Variant{}, err
	}
	v := Variant{ProductID: productID, Price: in.Price}
	if v.SKU, err = validSKU("sku", in.SKU); err != nil {
		return Variant{}, err
	}
	if v.Name, err = validText("name", in.Name, MaxNameLen, true); err != nil {
		return Variant{}, err
	}
	if err := validPrice("price", in.Price); err != nil {
		return Variant{}, err
	}
	if err := input.Count("quantity", in.Quantity, 0); err != nil {
		return Variant{}, err
	}
	if v.Attributes, err = validAttributes("attributes", in.Attributes); err != nil {
		return Variant{}, err
	}
	p, err := s.live(ctx, productID)
	if err != nil {
		return Variant{}, fmt.Errorf("create variant: %w", err)
	}
	if len(p.Variants)+1 >= maxVariantsPerProduct {
		return Variant{}, input.Invalid("productId", "a product has at most %d variants", maxVariantsPerProduct)
	}
	now := s.now()
	v.ID = primitive.NewObjectIDFromTimestamp(now).Hex()
	v.CreatedAt, v.UpdatedAt, v.Quantity = now, now, in.Quantity
	if err := s.claimSKU(ctx, p, v.SKU, v.ID); err != nil {
		return Variant{}, err
	}
	if _, err := s.stock.OpenStock(ctx, v.ID, in.Quantity, now); err != nil {
		return Variant{}, fmt.Errorf("create variant: %w", err)
	}
	if err := s.store.InsertVariant(ctx, v); err != nil {
		return Variant{}, fmt.Errorf("create variant: %w", err)
	}
	// The variant's stock was opened before its document existed, so its
	// snapshot job found no product to refresh: count its units now.
	if err := s.refreshAvailable(ctx, productID); err != nil {
		return Variant{}, fmt.Errorf("create variant: %w", err)
	}
	p.Variants = append(p.Variants, v)
	p.Quantity += v.Quantity
	if err := s.store.RecordChange(ctx, Change{Type: ChangeUpdated, Product: p, At: now}); err != nil {
		return Variant{}, fmt.Errorf("create variant: %w", err)
	}
	return v, nil
}

// UpdateVariant changes a variant's SKU, name, price or attributes. The
// default variant's price is the product's price (so it must fit the
// seed's Int), its SKU and name are kept on the product, and it carries
// no attributes of its own (the product's attributes describe it).
func (s *Service) UpdateVariant(ctx context.Context, id string, in VariantUpdate) (Variant, error) {
	v, p, err := s.Variant(ctx, id)
	if err != nil {
		return Variant{}, err
	}
	if p.Deleted() {
		return Variant{}, fmt.Errorf("update variant: %w", ErrDeleted)
	}
	next := v
	if in.SKU != nil {
		if next.SKU, err = validSKU("sku", *in.SKU); err != nil {
			return Variant{}, err
		}
	}
	if in.Name != nil {
		if next.Name, err = validText("name", *in.Name, MaxNameLen, true); err != nil {
			return Variant{}, err
		}
	}
	if in.Price != nil {
		if err := validPrice("price", *in.Price); err != nil {
			return Variant{}, err
		}
		next.Price = *in.Price
	}
	if in.SetAttributes {
		if v.IsDefault() && len(in.Attributes) > 0 {
			return Variant{}, input.Invalid("attributes", "the default variant has no attributes of its own; set the product's")
		}
		if next.Attributes, err = validAttributes("attributes", in.Attributes); err != nil {
			return Variant{}, err
		}
	}
	if next.SKU != v.SKU {
		if err := s.claimSKU(ctx, p, next.SKU, v.ID); err != nil {
			return Variant{}, err
		}
	}
	next.UpdatedAt = s.now()
	if v.IsDefault() {
		p.SKU, p.VariantName, p.Price, p.UpdatedAt = next.SKU, next.Name, int(next.Price), next.UpdatedAt
		err = s.store.UpdateProductData(ctx, p)
	} else {
		err = s.store.UpdateVariant(ctx, next)
	}
	if err != nil {
		return Variant{}, fmt.Errorf("update variant: %w", err)
	}
	if next.SKU != v.SKU && v.SKU != DefaultSKU(p.ID) {
		if err := s.store.ReleaseSKU(ctx, v.SKU); err != nil {
			return Variant{}, fmt.Errorf("update variant: %w", err)
		}
	}
	if err := s.store.RecordChange(ctx, Change{Type: ChangeUpdated, Product: p, At: next.UpdatedAt}); err != nil {
		return Variant{}, fmt.Errorf("update variant: %w", err)
	}
	got, _, err := s.Variant(ctx, v.ID)
	return got, err
}

// claimSKU claims sku for variantID, refusing the derived SKU of another
// product's default variant (those are never claimed, being derived).
func (s *Service) claimSKU(ctx context.Context, p Product, sku, variantID string) error {
	if len(sku) == 26 && sku[:2] == "P-" && sku != DefaultSKU(p.ID) {
		return fmt.Errorf("claim sku: %w", ErrDuplicateSKU)
	}
	if sku == DefaultSKU(p.ID) {
		if variantID != p.ID {
			return fmt.Errorf("claim sku: %w", ErrDuplicateSKU)
		}
		return nil
	}
	err := s.store.ClaimSKU(ctx, sku, variantID)
	if errors.Is(err, ErrDuplicate) {
		return fmt.Errorf("claim sku: %w", ErrDuplicateSKU)
	}
	if err != nil {
		return fmt.Errorf("claim sku: %w", err)
	}
	return nil
}
