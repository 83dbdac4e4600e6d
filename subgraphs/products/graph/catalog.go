package graph

import (
	"context"
	"errors"
	"strconv"

	"github.com/shopsupergraph/shop/platform/auth"
	"github.com/shopsupergraph/shop/platform/gqlerr"
	"github.com/shopsupergraph/shop/subgraphs/products/graph/model"
	"github.com/shopsupergraph/shop/subgraphs/products/internal/catalog"
	"github.com/shopsupergraph/shop/subgraphs/products/internal/input"
)

// requireScope enforces a staff scope: UNAUTHENTICATED when no credential
// was presented at all, FORBIDDEN (naming the scope in
// extensions.requiredScopes) for a wrong key or a token without it. The
// admin key holds every scope.
func requireScope(ctx context.Context, scope string) error {
	p := auth.FromContext(ctx)
	switch {
	case p.HasScope(scope):
		return nil
	case !p.KeyPresented && !p.Authenticated() && p.TokenErr == nil:
		return gqlerr.New(ctx, gqlerr.Unauthenticated, "this operation needs the "+scope+" scope (or the admin key in the x-api-key header)", map[string]any{"requiredScopes": []string{scope}})
	default:
		return gqlerr.New(ctx, gqlerr.Forbidden, "this operation needs the "+scope+" scope", map[string]any{"requiredScopes": []string{scope}})
	}
}

func (r *Resolver) money(amount int64) *model.Money {
	return &model.Money{Amount: strconv.FormatInt(amount, 10), Currency: r.Currency}
}

func toAttributes(as []catalog.Attribute) []*model.Attribute {
	out := make([]*model.Attribute, len(as))
	for i, a := range as {
		out[i] = &model.Attribute{Name: a.Name, Value: a.Value}
	}
	return out
}

func fromAttributes(as []*model.AttributeInput) []catalog.Attribute {
	if as == nil {
		return nil
	}
	out := make([]catalog.Attribute, len(as))
	for i, a := range as {
		out[i] = catalog.Attribute{Name: a.Name, Value: a.Value}
	}
	return out
}

func fromImages(is []*model.ImageInput) []catalog.Image {
	if is == nil {
		return nil
	}
	out := make([]catalog.Image, len(is))
	for i, im := range is {
		out[i] = catalog.Image{URL: im.URL}
		if im.Alt != nil {
			out[i].Alt = *im.Alt
		}
	}
	return out
}

func (r *Resolver) toVariant(v catalog.Variant) *model.ProductVariant {
	return &model.ProductVariant{ID: v.ID, Sku: v.SKU, Name: v.Name, Price: r.money(v.Price), Quantity: v.Quantity,
		Attributes: toAttributes(v.Attributes), ProductID: v.ProductID}
}

func toCategory(c catalog.Category) *model.Category {
	return &model.Category{ID: c.ID, Name: c.Name, Slug: c.Slug, ParentID: c.ParentID}
}

// productErrors turns a refusal of a typed mutation into its payload's
// errors; any other error is returned for toGQL (a top-level error).
func productErrors(err error) ([]*model.ProductError, error) {
	var inv *input.Error
	var code model.ProductErrorCode
	var field, msg string
	switch {
	case errors.As(err, &inv):
		code, field, msg = model.ProductErrorCodeInvalid, inv.Field, inv.Error()
		if input.IsRequired(err) {
			code = model.ProductErrorCodeRequired
		}
	case catalog.IsNotFound(err):
		code, msg = model.ProductErrorCodeNotFound, "no such product or variant on sale"
	case errors.Is(err, catalog.ErrCategoryNotFound):
		code, field, msg = model.ProductErrorCodeNotFound, "id", "no such category"
	case errors.Is(err, catalog.ErrDuplicateSKU):
		code, field, msg = model.ProductErrorCodeDuplicatedSku, "sku", "the SKU is already used by another variant"
	case errors.Is(err, catalog.ErrDuplicateSlug):
		code, field, msg = model.ProductErrorCodeDuplicatedSlug, "slug", "the slug is already used by another category"
	case errors.Is(err, catalog.ErrCategoryInUse):
		code, field, msg = model.ProductErrorCodeCategoryNotEmpty, "id", "the category has children; move or delete them first"
	default:
		return nil, err
	}
	pe := &model.ProductError{Code: code, Message: msg}
	if field != "" {
		pe.Field = &field
	}
	return []*model.ProductError{pe}, nil
}

// categoryIDs resolves category slugs for a product mutation; nil slugs
// give nil (no change).
func (r *Resolver) categoryIDs(ctx context.Context, slugs []string) ([]string, error) {
	if slugs == nil {
		return nil, nil
	}
	t, err := r.Tree.Tree(ctx)
	if err != nil {
		return nil, err
	}
	ids, err := catalog.ResolveCategories(t, "categories", slugs)
	if err != nil {
		return nil, err
	}
	if ids == nil {
		ids = []string{}
	}
	return ids, nil
}

var sortFields = map[model.ProductSortField]catalog.SortField{
	model.ProductSortFieldName: catalog.SortName, model.ProductSortFieldPrice: catalog.SortPrice, model.ProductSortFieldCreated: catalog.SortCreated,
	model.ProductSortFieldStock: catalog.SortStock,
}

// connection serves productsConnection and Category.products: the filter
// (its category as the ids of a subtree), sort and page, checked, then
// one page read.
func (r *Resolver) connection(ctx context.Context, args catalog.PageArgs, filter *model.ProductFilter, sortBy *model.ProductSort, under *string) (*model.ProductConnection, error) {
	q := catalog.PageQuery{Sort: catalog.SortCreated}
	if sortBy != nil {
		q.Sort = sortFields[sortBy.Field]
		q.Desc = sortBy.Direction != nil && *sortBy.Direction == model.SortDirectionDesc
	}
	if err := catalog.ValidPage(args, &q); err != nil {
		return nil, r.toGQL(ctx, err)
	}
	if filter != nil {
		if filter.Search != nil {
			q.Filter.Search = *filter.Search
		}
		if filter.PriceRange != nil {
			if v := filter.PriceRange.Gte; v != nil {
				n := int64(*v)
				q.Filter.PriceGTE = &n
			}
			if v := filter.PriceRange.Lte; v != nil {
				n := int64(*v)
				q.Filter.PriceLTE = &n
			}
		}
		q.Filter.InStock = filter.InStock
		if filter.Category != nil && under == nil {
			under = filter.Category
		}
	}
	if err := catalog.ValidFilter(&q.Filter); err != nil {
		return nil, r.toGQL(ctx, err)
	}
	if under != nil {
		t, err := r.Tree.Tree(ctx)
		if err != nil {
			return nil, r.toGQL(ctx, err)
		}
		q.Filter.CategoryIDs = []string{}
		if c, ok := t.BySlug(*under); ok {
			q.Filter.CategoryIDs = t.Subtree(c.ID)
		}
	}
	// The count, the page's query, then each product's stock documents.
	if err := spend(ctx, 2+productReads*max(q.First, q.Last)); err != nil {
		return nil, err
	}
	page, err := r.Catalog.Page(ctx, q)
	if err != nil {
		return nil, r.toGQL(ctx, err)
	}
	out := &model.ProductConnection{
		Edges: make([]*model.ProductEdge, len(page.Products)), Nodes: make([]*model.Product, len(page.Products)),
		PageInfo:   &model.PageInfo{HasNextPage: page.HasNextPage, HasPreviousPage: page.HasPreviousPage},
		TotalCount: page.TotalCount,
	}
	for i, p := range page.Products {
		node := toProduct(p)
		out.Nodes[i] = node
		out.Edges[i] = &model.ProductEdge{Cursor: catalog.CursorOf(q.Sort, p).Encode(), Node: node}
	}
	if n := len(out.Edges); n > 0 {
		out.PageInfo.StartCursor, out.PageInfo.EndCursor = &out.Edges[0].Cursor, &out.Edges[n-1].Cursor
	}
	return out, nil
}

func inputRequired(field string) error { return input.Required(field) }

// productPayload answers a typed product mutation: the product, or the
// refusal in errors (other failures are top-level).
func (r *Resolver) productPayload(ctx context.Context, p catalog.Product, err error) (*model.ProductPayload, error) {
	if err == nil {
		return &model.ProductPayload{Product: toProduct(p), Errors: []*model.ProductError{}}, nil
	}
	errs, err := productErrors(err)
	if err != nil {
		return nil, r.toGQL(ctx, err)
	}
	return &model.ProductPayload{Errors: errs}, nil
}

// variantPayload is productPayload for a variant.
func (r *Resolver) variantPayload(ctx context.Context, v catalog.Variant, err error) (*model.ProductVariantPayload, error) {
	if err == nil {
		return &model.ProductVariantPayload{ProductVariant: r.toVariant(v), Errors: []*model.ProductError{}}, nil
	}
	errs, err := productErrors(err)
	if err != nil {
		return nil, r.toGQL(ctx, err)
	}
	return &model.ProductVariantPayload{Errors: errs}, nil
}

// categoryPayload is productPayload for a category.
func (r *Resolver) categoryPayload(ctx context.Context, c catalog.Category, err error) (*model.CategoryPayload, error) {
	if err == nil {
		return &model.CategoryPayload{Category: toCategory(c), Errors: []*model.ProductError{}}, nil
	}
	errs, err := productErrors(err)
	if err != nil {
		return nil, r.toGQL(ctx, err)
	}
	return &model.CategoryPayload{Errors: errs}, nil
}
