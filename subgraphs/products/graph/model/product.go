// Package model holds the GraphQL models of the products subgraph.
package model

// Product is the GraphQL view of a catalog product. Dates (DateTime)
// are RFC 3339 strings; Movements is resolved on demand from the ledger.
type Product struct {
	ID          string  `json:"_id"`
	Name        string  `json:"name"`
	Description *string `json:"description,omitempty"`
	Price       int     `json:"price"`
	Quantity    int     `json:"quantity"`
	CreatedAt   string  `json:"createdAt"`
	UpdatedAt   string  `json:"updatedAt"`
	DeletedAt   *string `json:"deletedAt,omitempty"`
	// Src is the catalog product, for the fields resolved from it.
	Src Source `json:"-"`
}

// IsEntity marks Product as a federation entity for the generated _entities code.
func (Product) IsEntity() {}
