package catalog

import (
	"context"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/bson/primitive"

	"github.com/shopsupergraph/shop/subgraphs/products/internal/input"
)

// Service implements the catalog's use cases on top of a Storer; a new
// product's stock is opened by a StockOpener (the inventory).
type Service struct {
	store Storer
	stock StockOpener
	now   func() time.Time
}

// NewService returns a Service over store whose new products get their
// stock from stock.
func NewService(store Storer, stock StockOpener) *Service {
	return &Service{store: store, stock: stock, now: func() time.Time { return time.Now().UTC().Truncate(time.Millisecond) }}
}

// CreateInput is a new product.
type CreateInput struct {
	Name        string
	Description string
	Price       int
	Quantity    int
	// The fields below are optional (productCreate sets them; the seed's
	// createProduct does not). SKU and VariantName describe the default
	// variant; CategoryIDs are checked by the caller (see
	// ResolveCategories).
	SKU         string
	VariantName string
	Attributes  []Attribute
	Images      []Image
	CategoryIDs []string
}

// UpdateInput changes product data; nil fields stay unchanged.
type UpdateInput struct {
	Name        *string
	Description *string
	Price       *int
	// Attributes, Images and CategoryIDs replace the product's when their
	// Set flag is true (nil clears them).
	Attributes     []Attribute
	SetAttributes  bool
	Images         []Image
	SetImages      bool
	CategoryIDs    []string
	SetCategoryIDs bool
}

// Create validates and stores a new product with its initial stock, which
// the inventory opens first (the ledger's first entry and the stock
// document): a crash before the product document leaves only stock no one
// reads.
func (s *Service) Create(ctx context.Context, in CreateInput) (Product, error) {
	name, err := validName(in.Name)
	if err != nil {
		return Product{}, err
	}
	desc, err := validDescription(in.Description)
	if err != nil {
		return Product{}, err
	}
	if err := input.Count("price", in.Price, 0); err != nil {
		return Product{}, err
	}
	if err := input.Count("quantity", in.Quantity, 0); err != nil {
		return Product{}, err
	}
	now := s.now()
	p := Product{
		ID: primitive.NewObjectIDFromTimestamp(now).Hex(), Name: name, Description: desc, Price: in.Price,
		Quantity: in.Quantity, DefaultQuantity: in.Quantity, Listed: in.Quantity, CreatedAt: now, UpdatedAt: now, CategoryIDs: in.CategoryIDs,
	}
	if in.VariantName != "" {
		if p.VariantName, err = validText("variantName", in.VariantName, MaxNameLen, false); err != nil {
			return Product{}, err
		}
	}
	if p.Attributes, err = validAttributes("attributes", in.Attributes); err != nil {
		return Product{}, err
	}
	if p.Images, err = validImages("images", in.Images); err != nil {
		return Product{}, err
	}
	if in.SKU != "" {
		if p.SKU, err = validSKU("sku", in.SKU); err != nil {
			return Product{}, err
		}
		if err := s.claimSKU(ctx, p, p.SKU, p.ID); err != nil {
			return Product{}, err
		}
	}
	if p.StockVersion, err = s.stock.OpenStock(ctx, p.ID, in.Quantity, now); err != nil {
		return Product{}, fmt.Errorf("create product: %w", err)
	}
	if err := s.store.InsertProduct(ctx, p); err != nil {
		return Product{}, fmt.Errorf("create product: %w", err)
	}
	if err := s.store.RecordChange(ctx, Change{Type: ChangeCreated, Product: p, At: now}); err != nil {
		return Product{}, fmt.Errorf("create product: %w", err)
	}
	return p, nil
}

// Update changes a product's name, description or price.
func (s *Service) Update(ctx context.Context, id string, in UpdateInput) (Product, error) {
	id, err := input.ID("id", id)
	if err != nil {
		return Product{}, err
	}
	var name, desc string
	if in.Name != nil {
		if name, err = validName(*in.Name); err != nil {
			return Product{}, err
		}
	}
	if in.Description != nil {
		if desc, err = validDescription(*in.Description); err != nil {
			return Product{}, err
		}
	}
	if in.Price != nil {
		if err := input.Count("price", *in.Price, 0); err != nil {
			return Product{}, err
		}
	}
	var attrs []Attribute
	var images []Image
	if in.SetAttributes {
		if attrs, err = validAttributes("attributes", in.Attributes); err != nil {
			return Product{}, err
		}
	}
	if in.SetImages {
		if images, err = validImages("images", in.Images); err != nil {
			return Product{}, err
		}
	}
	p, err := s.live(ctx, id)
	if err != nil {
		return Product{}, fmt.Errorf("update product: %w", err)
	}
	if in.Name != nil {
		p.Name = name
	}
	if in.Description != nil {
		p.Description = desc
	}
	if in.Price != nil {
		p.Price = *in.Price
	}
	if in.SetAttributes {
		p.Attributes = attrs
	}
	if in.SetImages {
		p.Images = images
	}
	if in.SetCategoryIDs {
		p.CategoryIDs = in.CategoryIDs
	}
	p.UpdatedAt = s.now()
	if err := s.store.UpdateProductData(ctx, p); err != nil {
		return Product{}, fmt.Errorf("update product: %w", err)
	}
	if err := s.store.RecordChange(ctx, Change{Type: ChangeUpdated, Product: p, At: p.UpdatedAt}); err != nil {
		return Product{}, fmt.Errorf("update product: %w", err)
	}
	return s.Get(ctx, id)
}

// Delete soft-deletes a product: it leaves lists and cannot be reserved,
// but still resolves by id for order history.
func (s *Service) Delete(ctx context.Context, id string) (Product, error) {
	id, err := input.ID("id", id)
	if err != nil {
		return Product{}, err
	}
	p, err := s.live(ctx, id)
	if err != nil {
		return Product{}, fmt.Errorf("delete product: %w", err)
	}
	now := s.now()
	if err := s.store.MarkDeleted(ctx, id, now); err != nil {
		return Product{}, fmt.Errorf("delete product: %w", err)
	}
	p.DeletedAt, p.UpdatedAt = &now, now
	if err := s.store.RecordChange(ctx, Change{Type: ChangeDeleted, Product: p, At: now}); err != nil {
		return Product{}, fmt.Errorf("delete product: %w", err)
	}
	return p, nil
}

// Get returns a product, deleted or not.
func (s *Service) Get(ctx context.Context, id string) (Product, error) {
	id, err := input.ID("id", id)
	if err != nil {
		return Product{}, err
	}
	p, err := s.store.Product(ctx, id)
	if err != nil {
		return Product{}, fmt.Errorf("get product: %w", err)
	}
	return p, nil
}

// ByIDs returns the products among ids (deleted ones included), keyed by
// id; unknown ids are missing from the map.
func (s *Service) ByIDs(ctx context.Context, ids []string) (map[string]Product, error) {
	valid := DistinctIDs(ids)
	out := map[string]Product{}
	if len(valid) == 0 {
		return out, nil
	}
	ps, err := s.store.ProductsByIDs(ctx, valid)
	if err != nil {
		return nil, fmt.Errorf("products by ids: %w", err)
	}
	for _, p := range ps {
		out[p.ID] = p
	}
	return out, nil
}

// DistinctIDs returns the valid product ids among ids, in lower case,
// each once: the ids ByIDs reads (two point reads each).
func DistinctIDs(ids []string) []string {
	seen := make(map[string]bool, len(ids))
	out := make([]string, 0, len(ids))
	for _, id := range ids {
		if v, err := input.ID("id", id); err == nil && !seen[v] {
			seen[v] = true
			out = append(out, v)
		}
	}
	return out
}

// List returns a page of products on sale.
func (s *Service) List(ctx context.Context, q ListQuery) ([]Product, error) {
	ps, err := s.store.ListProducts(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("list products: %w", err)
	}
	return ps, nil
}

// live returns a product that exists and is not deleted.
func (s *Service) live(ctx context.Context, id string) (Product, error) {
	p, err := s.store.Product(ctx, id)
	if err != nil {
		return Product{}, err
	}
	if p.Deleted() {
		return Product{}, ErrDeleted
	}
	return p, nil
}
