package catalog

import (
	"time"
)

// Attribute is a named property of a product or a variant, such as
// color: red.
type Attribute struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// Image is a picture of a product: an absolute https URL and its
// alternative text.
type Image struct {
	URL string `json:"url"`
	Alt string `json:"alt,omitempty"`
}

// Variant is one SKU of a product, with its own price and its own stock.
// Every product has a default variant derived from the product itself:
// its id is the product's id, its price the product's price and its
// stock the product's stock document, so products stored before variants
// existed need no migration. Other variants are stored apart, each with
// its own id (an ObjectID), which is also the id of its stock in the
// inventory ledger.
type Variant struct {
	ID         string      `json:"id"`
	ProductID  string      `json:"productId"`
	SKU        string      `json:"sku"`
	Name       string      `json:"name"`
	Price      int64       `json:"price"`
	Attributes []Attribute `json:"attributes,omitempty"`
	// Quantity is the units available now, from the variant's stock
	// document.
	Quantity  int       `json:"quantity"`
	CreatedAt time.Time `json:"createdAt"`
	UpdatedAt time.Time `json:"updatedAt"`
}

// DefaultVariantName is the name of a default variant that was given none.
const DefaultVariantName = "Default"

// DefaultSKU is the SKU of a product's default variant when it was given
// none: the product id in upper case behind "P-".
func DefaultSKU(productID string) string {
	return "P-" + upper(productID)
}

func upper(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'a' && c <= 'z' {
			b[i] = c - 'a' + 'A'
		}
	}
	return string(b)
}

// IsDefault reports whether v is its product's default variant.
func (v Variant) IsDefault() bool { return v.ID == v.ProductID }

// DefaultVariant returns the product's default variant.
func (p Product) DefaultVariant() Variant {
	v := Variant{ID: p.ID, ProductID: p.ID, SKU: p.SKU, Name: p.VariantName, Price: int64(p.Price),
		Quantity: p.DefaultQuantity, CreatedAt: p.CreatedAt, UpdatedAt: p.UpdatedAt}
	if v.SKU == "" {
		v.SKU = DefaultSKU(p.ID)
	}
	if v.Name == "" {
		v.Name = DefaultVariantName
	}
	return v
}

// AllVariants returns the default variant, then the others.
func (p Product) AllVariants() []Variant {
	return append([]Variant{p.DefaultVariant()}, p.Variants...)
}

// Variant returns the product's variant of id (the default variant for
// the product's own id).
func (p Product) Variant(id string) (Variant, bool) {
	for _, v := range p.AllVariants() {
		if v.ID == id {
			return v, true
		}
	}
	return Variant{}, false
}
