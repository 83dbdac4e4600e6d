package catalog

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"sort"
	"time"

	"go.mongodb.org/mongo-driver/bson/primitive"

	"github.com/shopsupergraph/shop/subgraphs/products/internal/input"
)

// Category is a node of the category tree. Slugs are unique across the
// tree; a product lists the categories it belongs to (see
// Product.CategoryIDs) and is found under each of them and their
// ancestors.
type Category struct {
	ID        string
	Name      string
	Slug      string
	ParentID  string
	CreatedAt time.Time
	UpdatedAt time.Time
}

// CategoryStorer is the persistence of the category tree. Categories are
// few (at most MaxCategories), so the whole tree is read at once.
type CategoryStorer interface {
	// InsertCategory stores a category whose slug it claims, or returns
	// ErrDuplicate when the slug is taken.
	InsertCategory(ctx context.Context, c Category) error
	// UpdateCategory stores a category's new data; a changed slug is
	// claimed first (ErrDuplicate when taken) and the old one freed.
	UpdateCategory(ctx context.Context, old, c Category) error
	// DeleteCategory removes a category and frees its slug.
	DeleteCategory(ctx context.Context, c Category) error
	// Categories returns the whole tree.
	Categories(ctx context.Context) ([]Category, error)
}

// Errors of the category tree.
var (
	// ErrDuplicateSlug means another category holds the slug.
	ErrDuplicateSlug = errors.New("slug already used by another category")
	// ErrCategoryNotFound means no category has that id or slug.
	ErrCategoryNotFound = errors.New("category not found")
	// ErrCategoryInUse means a category still has children.
	ErrCategoryInUse = errors.New("category has children")
)

// Limits of the category tree.
const (
	MaxCategories   = 1000
	MaxCategoryName = 100
	MaxSlugLen      = 100
	MaxCategoryTree = 10
)

var slugRe = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)

func validSlug(field, slug string) (string, error) {
	switch {
	case slug == "":
		return "", input.Required(field)
	case len(slug) > MaxSlugLen:
		return "", input.Invalid(field, "must be at most %d characters", MaxSlugLen)
	case !slugRe.MatchString(slug):
		return "", input.Invalid(field, "must be lower-case letters and digits in words joined by '-'")
	}
	return slug, nil
}

// Tree is the category tree read at once, with look-ups by id and slug.
type Tree struct {
	All    []Category
	byID   map[string]Category
	bySlug map[string]Category
	kids   map[string][]Category
}

func newTree(cs []Category) Tree {
	sort.Slice(cs, func(i, j int) bool { return cs[i].Slug < cs[j].Slug })
	t := Tree{All: cs, byID: map[string]Category{}, bySlug: map[string]Category{}, kids: map[string][]Category{}}
	for _, c := range cs {
		t.byID[c.ID], t.bySlug[c.Slug] = c, c
		t.kids[c.ParentID] = append(t.kids[c.ParentID], c)
	}
	return t
}

// ByID returns a category by id.
func (t Tree) ByID(id string) (Category, bool) { c, ok := t.byID[id]; return c, ok }

// BySlug returns a category by slug.
func (t Tree) BySlug(slug string) (Category, bool) { c, ok := t.bySlug[slug]; return c, ok }

// Children returns a category's children ("" for the roots), by slug.
func (t Tree) Children(id string) []Category { return t.kids[id] }

// Subtree returns the ids of a category and all its descendants.
func (t Tree) Subtree(id string) []string {
	out := []string{id}
	for i := 0; i < len(out); i++ {
		for _, k := range t.kids[out[i]] {
			out = append(out, k.ID)
		}
	}
	return out
}

// depth is how many ancestors a category has.
func (t Tree) depth(id string) int {
	d := 0
	for c, ok := t.byID[id]; ok && c.ParentID != ""; c, ok = t.byID[c.ParentID] {
		d++
	}
	return d
}

// CategoryService manages the category tree.
type CategoryService struct {
	store CategoryStorer
	now   func() time.Time
}

// NewCategoryService returns a CategoryService over store.
func NewCategoryService(store CategoryStorer) *CategoryService {
	return &CategoryService{store: store, now: func() time.Time { return time.Now().UTC().Truncate(time.Millisecond) }}
}

// Tree reads the whole tree.
func (s *CategoryService) Tree(ctx context.Context) (Tree, error) {
	cs, err := s.store.Categories(ctx)
	if err != nil {
		return Tree{}, fmt.Errorf("read categories: %w", err)
	}
	return newTree(cs), nil
}

// CategoryInput is a new category or a change of one (nil fields of a
// change stay as they are; an empty ParentSlug makes a root).
type CategoryInput struct {
	Name       *string
	Slug       *string
	ParentSlug *string
}

// Create adds a category under its parent (a root without one).
func (s *CategoryService) Create(ctx context.Context, in CategoryInput) (Category, error) {
	if in.Name == nil {
		return Category{}, input.Required("name")
	}
	if in.Slug == nil {
		return Category{}, input.Required("slug")
	}
	t, err := s.Tree(ctx)
	if err != nil {
		return Category{}, err
	}
	if len(t.All) >= MaxCategories {
		return Category{}, input.Invalid("slug", "the shop has the most categories it may (%d)", MaxCategories)
	}
	now := s.now()
	c := Category{ID: primitive.NewObjectIDFromTimestamp(now).Hex(), CreatedAt: now, UpdatedAt: now}
	if err := s.apply(t, &c, in); err != nil {
		return Category{}, err
	}
	if err := s.store.InsertCategory(ctx, c); err != nil {
		return Category{}, s.storeErr("create category", err)
	}
	return c, nil
}

// Update changes a category's name, slug or parent.
func (s *CategoryService) Update(ctx context.Context, id string, in CategoryInput) (Category, error) {
	id, err := input.ID("id", id)
	if err != nil {
		return Category{}, err
	}
	t, err := s.Tree(ctx)
	if err != nil {
		return Category{}, err
	}
	old, ok := t.ByID(id)
	if !ok {
		return Category{}, ErrCategoryNotFound
	}
	c := old
	if err := s.apply(t, &c, in); err != nil {
		return Category{}, err
	}
	c.UpdatedAt = s.now()
	if err := s.store.UpdateCategory(ctx, old, c); err != nil {
		return Category{}, s.storeErr("update category", err)
	}
	return c, nil
}

// Delete removes a category without children. Products listing it keep
// its id, which no longer resolves: they simply stop showing it.
func (s *CategoryService) Delete(ctx context.Context, id string) (Category, error) {
	id, err := input.ID("id", id)
	if err != nil {
		return Category{}, err
	}
	t, err := s.Tree(ctx)
	if err != nil {
		return Category{}, err
	}
	c, ok := t.ByID(id)
	if !ok {
		return Category{}, ErrCategoryNotFound
	}
	if len(t.Children(id)) > 0 {
		return Category{}, ErrCategoryInUse
	}
	if err := s.store.DeleteCategory(ctx, c); err != nil {
		return Category{}, s.storeErr("delete category", err)
	}
	return c, nil
}

// apply validates in against the tree and sets it on c.
func (s *CategoryService) apply(t Tree, c *Category, in CategoryInput) error {
	if in.Name != nil {
		name, err := validText("name", *in.Name, MaxCategoryName, true)
		if err != nil {
			return err
		}
		c.Name = name
	}
	if in.Slug != nil {
		slug, err := validSlug("slug", *in.Slug)
		if err != nil {
			return err
		}
		if other, ok := t.BySlug(slug); ok && other.ID != c.ID {
			return ErrDuplicateSlug
		}
		c.Slug = slug
	}
	if in.ParentSlug != nil {
		c.ParentID = ""
		if *in.ParentSlug != "" {
			parent, ok := t.BySlug(*in.ParentSlug)
			if !ok {
				return input.Invalid("parentSlug", "no category has slug %q", *in.ParentSlug)
			}
			for _, id := range t.Subtree(c.ID) {
				if id == parent.ID {
					return input.Invalid("parentSlug", "a category cannot be moved under itself or its descendants")
				}
			}
			if t.depth(parent.ID)+1 >= MaxCategoryTree {
				return input.Invalid("parentSlug", "the tree is at most %d levels deep", MaxCategoryTree)
			}
			c.ParentID = parent.ID
		}
	}
	return nil
}

func (s *CategoryService) storeErr(op string, err error) error {
	if errors.Is(err, ErrDuplicate) {
		return ErrDuplicateSlug
	}
	return fmt.Errorf("%s: %w", op, err)
}

// ResolveCategories checks category slugs and returns their ids.
func ResolveCategories(t Tree, field string, slugs []string) ([]string, error) {
	if len(slugs) > 20 {
		return nil, input.Invalid(field, "a product belongs to at most 20 categories")
	}
	var ids []string
	seen := map[string]bool{}
	for _, slug := range slugs {
		c, ok := t.BySlug(slug)
		if !ok {
			return nil, input.Invalid(field, "no category has slug %q", slug)
		}
		if !seen[c.ID] {
			seen[c.ID] = true
			ids = append(ids, c.ID)
		}
	}
	return ids, nil
}
