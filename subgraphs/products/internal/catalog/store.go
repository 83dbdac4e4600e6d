package catalog

import (
	"context"
	"time"
)

// Storer is the persistence the catalog needs: product documents and
// their change records. Implementations translate driver errors into
// ErrNotFound and ErrDuplicate. Apart from the product list (one query),
// every method is an insert or point operations by `_id`.
type Storer interface {
	// InsertProduct stores a new product.
	InsertProduct(ctx context.Context, p Product) error
	// UpdateProductData sets name, description, price and updatedAt.
	UpdateProductData(ctx context.Context, p Product) error
	// MarkDeleted sets deletedAt (a soft delete).
	MarkDeleted(ctx context.Context, id string, at time.Time) error
	// ProductData returns one product's catalog data, deleted or not,
	// without its stock (Quantity and StockVersion are zero), or
	// ErrNotFound. Inventory code reads prices and deletions with it (see
	// inventory.ProductReader).
	ProductData(ctx context.Context, id string) (Product, error)
	// Product returns one product, deleted or not, with the quantity of
	// its stock document (read by `_id` beside the product; a product
	// without one shows no units), or ErrNotFound.
	Product(ctx context.Context, id string) (Product, error)
	// ProductsByIDs returns the products that exist among ids, deleted or
	// not, with their stock.
	ProductsByIDs(ctx context.Context, ids []string) ([]Product, error)
	// ListProducts returns a page of products that are not deleted, oldest
	// first, with their stock.
	ListProducts(ctx context.Context, q ListQuery) ([]Product, error)

	// Availability returns a product's denormalized available figure as
	// stored on its document (known is false for a product stored before
	// the figure existed) and its actual quantity across every variant,
	// read from the stock documents, never from a cache, or ErrNotFound.
	Availability(ctx context.Context, id string) (Availability, error)
	// SetAvailable sets the denormalized available figure of a product's
	// document; it writes no other field.
	SetAvailable(ctx context.Context, id string, n int) error
	// UnlistedProducts returns the ids of the products whose document has
	// no available figure yet (stored before it existed): a scan run once
	// at start-up.
	UnlistedProducts(ctx context.Context) ([]string, error)

	// PageProducts returns a page of products that are not deleted, by
	// keyset on (sort key, _id) with at most First+1 or Last+1 documents
	// read, with the total count of the filter's matches. Not cached.
	PageProducts(ctx context.Context, q PageQuery) (Page, error)

	// InsertVariant stores a new non-default variant and lists it last
	// among its product's variants.
	InsertVariant(ctx context.Context, v Variant) error
	// UpdateVariant sets a non-default variant's SKU, name, price,
	// attributes and updatedAt.
	UpdateVariant(ctx context.Context, v Variant) error
	// VariantData returns a non-default variant without its stock, or
	// ErrNotFound (also for a product's own id: the default variant is
	// not stored apart).
	VariantData(ctx context.Context, id string) (Variant, error)
	// ClaimSKU records that variantID holds sku, or returns ErrDuplicate
	// when another variant holds it.
	ClaimSKU(ctx context.Context, sku, variantID string) error
	// ReleaseSKU frees a SKU a variant no longer holds.
	ReleaseSKU(ctx context.Context, sku string) error

	// RecordChange stores a product change with its event.
	RecordChange(ctx context.Context, c Change) error
}
