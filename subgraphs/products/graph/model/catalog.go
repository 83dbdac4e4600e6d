package model

import "github.com/shopsupergraph/shop/subgraphs/products/internal/catalog"

// ProductVariant is the GraphQL view of a variant; its product is
// resolved from ProductID.
type ProductVariant struct {
	ID         string       `json:"id"`
	Sku        string       `json:"sku"`
	Name       string       `json:"name"`
	Price      *Money       `json:"price"`
	Quantity   int          `json:"quantity"`
	Attributes []*Attribute `json:"attributes"`
	ProductID  string       `json:"-"`
}

// IsEntity marks ProductVariant as a federation entity.
func (ProductVariant) IsEntity() {}

// Category is the GraphQL view of a category; parent, children and
// products are resolved from the tree.
type Category struct {
	ID       string `json:"id"`
	Name     string `json:"name"`
	Slug     string `json:"slug"`
	ParentID string `json:"-"`
}

// Source is the catalog product a GraphQL Product was made from, for the
// field resolvers of its variants, attributes, images and categories.
type Source = catalog.Product
