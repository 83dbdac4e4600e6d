package mongostore

import (
	"context"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo/options"

	"github.com/shopsupergraph/shop/subgraphs/products/internal/catalog"
)

// Collections of the category tree: the categories, and their slugs
// claimed by inserts keyed by the slug (unique on every store).
const (
	CategoriesColl    = "categories"
	CategorySlugsColl = "category_slugs"
)

type categoryDoc struct {
	ID        string    `bson:"_id"`
	Name      string    `bson:"name"`
	Slug      string    `bson:"slug"`
	ParentID  string    `bson:"parentId,omitempty"`
	CreatedAt time.Time `bson:"createdAt"`
	UpdatedAt time.Time `bson:"updatedAt"`
}

type slugDoc struct {
	ID         string `bson:"_id"`
	CategoryID string `bson:"categoryId"`
}

func (s *Store) claimSlug(ctx context.Context, slug, id string) error {
	_, err := s.db.Collection(CategorySlugsColl).InsertOne(ctx, slugDoc{ID: slug, CategoryID: id})
	return translate("claim slug", err)
}

func (s *Store) freeSlug(ctx context.Context, slug string) error {
	_, err := s.db.Collection(CategorySlugsColl).DeleteOne(ctx, bson.D{{Key: "_id", Value: slug}})
	return translate("free slug", err)
}

func toCategoryDoc(c catalog.Category) categoryDoc {
	return categoryDoc{ID: c.ID, Name: c.Name, Slug: c.Slug, ParentID: c.ParentID, CreatedAt: c.CreatedAt, UpdatedAt: c.UpdatedAt}
}

// InsertCategory implements catalog.CategoryStorer: the slug's claim, then
// the category.
func (s *Store) InsertCategory(ctx context.Context, c catalog.Category) error {
	if err := s.claimSlug(ctx, c.Slug, c.ID); err != nil {
		return err
	}
	_, err := s.db.Collection(CategoriesColl).InsertOne(ctx, toCategoryDoc(c))
	return translate("insert category", err)
}

// UpdateCategory implements catalog.CategoryStorer.
func (s *Store) UpdateCategory(ctx context.Context, old, c catalog.Category) error {
	if c.Slug != old.Slug {
		if err := s.claimSlug(ctx, c.Slug, c.ID); err != nil {
			return err
		}
	}
	res, err := s.db.Collection(CategoriesColl).ReplaceOne(ctx, bson.D{{Key: "_id", Value: c.ID}}, toCategoryDoc(c))
	if err != nil {
		return translate("update category", err)
	}
	if res.MatchedCount == 0 {
		return fmt.Errorf("update category: %w", catalog.ErrCategoryNotFound)
	}
	if c.Slug != old.Slug {
		return s.freeSlug(ctx, old.Slug)
	}
	return nil
}

// DeleteCategory implements catalog.CategoryStorer.
func (s *Store) DeleteCategory(ctx context.Context, c catalog.Category) error {
	if _, err := s.db.Collection(CategoriesColl).DeleteOne(ctx, bson.D{{Key: "_id", Value: c.ID}}); err != nil {
		return translate("delete category", err)
	}
	return s.freeSlug(ctx, c.Slug)
}

// Categories implements catalog.CategoryStorer: a whole read of a
// collection bounded by catalog.MaxCategories.
func (s *Store) Categories(ctx context.Context) ([]catalog.Category, error) {
	cur, err := s.db.Collection(CategoriesColl).Find(ctx, bson.D{}, options.Find().SetLimit(catalog.MaxCategories))
	if err != nil {
		return nil, translate("list categories", err)
	}
	var docs []categoryDoc
	if err := cur.All(ctx, &docs); err != nil {
		return nil, translate("list categories", err)
	}
	out := make([]catalog.Category, len(docs))
	for i, d := range docs {
		out[i] = catalog.Category{ID: d.ID, Name: d.Name, Slug: d.Slug, ParentID: d.ParentID, CreatedAt: d.CreatedAt.UTC(), UpdatedAt: d.UpdatedAt.UTC()}
	}
	return out, nil
}

var _ catalog.CategoryStorer = (*Store)(nil)
