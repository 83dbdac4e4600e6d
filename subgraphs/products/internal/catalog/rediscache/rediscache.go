// Package rediscache caches product pages and single products in Redis. It
// wraps a catalog.Storer and implements the same interface, so the catalog
// service does not know whether a cache is there. Cached products carry
// their quantity, so the inventory's store is wrapped too (see WrapStock):
// a stock write retires the product's entries.
//
// Keys carry generation numbers: every write to a product increments that
// product's generation and the list generation, so a stale entry is never
// read again (and expires after the TTL). A read takes the generations
// before querying the store and stores its result under them, so a write
// that lands during the read leaves the result unreachable instead of
// stale. When Redis fails, reads go to the store; the cache then skips
// Redis for a moment and, once Redis answers again, increments a global
// epoch that retires every entry, because invalidations may have been lost
// while it was down.
package rediscache

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/shopsupergraph/shop/subgraphs/products/internal/catalog"
	"github.com/shopsupergraph/shop/subgraphs/products/internal/inventory"
)

// Cache is a catalog.Storer that caches Product and ListProducts.
type Cache struct {
	catalog.Storer
	rdb    *redis.Client
	prefix string
	ttl    time.Duration
	log    *slog.Logger
	// pause is how long Redis is skipped after an error.
	pause time.Duration

	downUntil atomic.Int64 // unix nanos; Redis is skipped before this
	dirty     atomic.Bool  // an invalidation may have been lost
}

// New wraps inner with a Redis cache; keys start with prefix.
func New(inner catalog.Storer, rdb *redis.Client, prefix string, ttl time.Duration, log *slog.Logger) *Cache {
	if ttl <= 0 {
		ttl = 5 * time.Minute
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Cache{Storer: inner, rdb: rdb, prefix: prefix, ttl: ttl, log: log, pause: time.Second}
}

func (c *Cache) epochKey() string   { return c.prefix + "products:epoch" }
func (c *Cache) listGenKey() string { return c.prefix + "products:gen:list" }
func (c *Cache) productGenKey(id string) string {
	return c.prefix + "products:gen:p:" + id
}

// available reports whether Redis should be tried, and repairs the cache
// after an outage before it is used again.
func (c *Cache) available(ctx context.Context) bool {
	if time.Now().UnixNano() < c.downUntil.Load() {
		return false
	}
	if c.dirty.Load() {
		if err := c.rdb.Incr(ctx, c.epochKey()).Err(); err != nil {
			c.fail("retire cache", err)
			return false
		}
		c.dirty.Store(false)
	}
	return true
}

// fail records a Redis error: Redis is skipped for a moment and the cache
// is retired when it comes back.
func (c *Cache) fail(op string, err error) {
	c.downUntil.Store(time.Now().Add(c.pause).UnixNano())
	c.dirty.Store(true)
	c.log.Warn("redis unavailable; reading from the database", "op", op, "err", err)
}

// gens reads the epoch and one generation in one round trip.
func (c *Cache) gens(ctx context.Context, genKey string) (string, bool) {
	vals, err := c.rdb.MGet(ctx, c.epochKey(), genKey).Result()
	if err != nil {
		c.fail("read generations", err)
		return "", false
	}
	g := func(v any) string {
		if s, ok := v.(string); ok {
			return s
		}
		return "0"
	}
	return g(vals[0]) + "." + g(vals[1]), true
}

// lookup reads key into v; it reports a hit.
func (c *Cache) lookup(ctx context.Context, key string, v any) bool {
	raw, err := c.rdb.Get(ctx, key).Bytes()
	if errors.Is(err, redis.Nil) {
		return false
	}
	if err != nil {
		c.fail("get", err)
		return false
	}
	if err := json.Unmarshal(raw, v); err != nil {
		c.log.Warn("dropping undecodable cache entry", "key", key, "err", err)
		return false
	}
	return true
}

func (c *Cache) store(ctx context.Context, key string, v any) {
	raw, err := json.Marshal(v)
	if err != nil {
		c.log.Warn("cannot encode cache entry", "key", key, "err", err)
		return
	}
	if err := c.rdb.Set(ctx, key, raw, c.ttl).Err(); err != nil {
		c.fail("set", err)
	}
}

// Product implements catalog.Storer, from the cache when possible.
func (c *Cache) Product(ctx context.Context, id string) (catalog.Product, error) {
	if !c.available(ctx) {
		return c.Storer.Product(ctx, id)
	}
	gen, ok := c.gens(ctx, c.productGenKey(id))
	if !ok {
		return c.Storer.Product(ctx, id)
	}
	key := c.prefix + "products:p:" + id + ":" + gen
	var e entry
	if c.lookup(ctx, key, &e) {
		return e.product(), nil
	}
	p, err := c.Storer.Product(ctx, id)
	if err != nil {
		return p, err
	}
	c.store(ctx, key, fromProduct(p))
	return p, nil
}

// ListProducts implements catalog.Storer, from the cache when possible.
func (c *Cache) ListProducts(ctx context.Context, q catalog.ListQuery) ([]catalog.Product, error) {
	if !c.available(ctx) {
		return c.Storer.ListProducts(ctx, q)
	}
	gen, ok := c.gens(ctx, c.listGenKey())
	if !ok {
		return c.Storer.ListProducts(ctx, q)
	}
	sum := sha256.Sum256([]byte(q.Search))
	key := c.prefix + "products:list:" + gen + ":" + strconv.Itoa(q.Skip) + ":" + strconv.Itoa(q.Take) + ":" + hex.EncodeToString(sum[:8])
	var es []entry
	if c.lookup(ctx, key, &es) {
		out := make([]catalog.Product, len(es))
		for i, e := range es {
			out[i] = e.product()
		}
		return out, nil
	}
	ps, err := c.Storer.ListProducts(ctx, q)
	if err != nil {
		return nil, err
	}
	es = make([]entry, len(ps))
	for i, p := range ps {
		es[i] = fromProduct(p)
	}
	c.store(ctx, key, es)
	return ps, nil
}

// Invalidate retires the cached entries of a product and every cached
// page. The event consumers of every replica call it too, so a change made
// elsewhere reaches this cache even if that replica's direct invalidation
// was lost.
func (c *Cache) Invalidate(ctx context.Context, productID string) error {
	if time.Now().UnixNano() < c.downUntil.Load() {
		c.dirty.Store(true)
		return nil
	}
	pipe := c.rdb.Pipeline()
	pipe.Incr(ctx, c.listGenKey())
	if productID != "" {
		pipe.Incr(ctx, c.productGenKey(productID))
		// A variant's stock changed: its product's cached entries carry
		// the variant's units and the product's total.
		if v, err := c.VariantData(ctx, productID); err == nil {
			pipe.Incr(ctx, c.productGenKey(v.ProductID))
		} else if !errors.Is(err, catalog.ErrNotFound) {
			c.log.Warn("cache invalidation cannot tell a variant's product; its entries expire with the TTL", "id", productID, "err", err)
		}
	}
	if _, err := pipe.Exec(ctx); err != nil {
		c.fail("invalidate", err)
		return fmt.Errorf("invalidate cache: %w", err)
	}
	return nil
}

// invalidateAfter invalidates after a successful write. A failed
// invalidation is not the write's failure: the outage handling retires the
// whole cache once Redis is back.
func (c *Cache) invalidateAfter(ctx context.Context, productID string, err error) error {
	if err == nil {
		_ = c.Invalidate(ctx, productID) //nolint:errcheck // recorded by fail; the epoch covers it
	}
	return err
}

// InsertProduct implements catalog.Storer and invalidates.
func (c *Cache) InsertProduct(ctx context.Context, p catalog.Product) error {
	return c.invalidateAfter(ctx, p.ID, c.Storer.InsertProduct(ctx, p))
}

// UpdateProductData implements catalog.Storer and invalidates.
func (c *Cache) UpdateProductData(ctx context.Context, p catalog.Product) error {
	return c.invalidateAfter(ctx, p.ID, c.Storer.UpdateProductData(ctx, p))
}

// MarkDeleted implements catalog.Storer and invalidates.
func (c *Cache) MarkDeleted(ctx context.Context, id string, at time.Time) error {
	return c.invalidateAfter(ctx, id, c.Storer.MarkDeleted(ctx, id, at))
}

// InsertVariant implements catalog.Storer and invalidates the product.
func (c *Cache) InsertVariant(ctx context.Context, v catalog.Variant) error {
	return c.invalidateAfter(ctx, v.ProductID, c.Storer.InsertVariant(ctx, v))
}

// UpdateVariant implements catalog.Storer and invalidates the product.
func (c *Cache) UpdateVariant(ctx context.Context, v catalog.Variant) error {
	return c.invalidateAfter(ctx, v.ProductID, c.Storer.UpdateVariant(ctx, v))
}

// SetAvailable implements catalog.Storer and invalidates the product,
// whose cached entries carry the figure.
func (c *Cache) SetAvailable(ctx context.Context, id string, n int) error {
	return c.invalidateAfter(ctx, id, c.Storer.SetAvailable(ctx, id, n))
}

// WrapStock wraps the inventory's store so that a stock write that
// changed a product's stock document invalidates the product, whose
// cached entries carry its quantity. Every other call goes to inner.
func (c *Cache) WrapStock(inner inventory.Storer) inventory.Storer {
	return stockWrites{Storer: inner, cache: c}
}

// stockWrites is the inventory store wrapped by WrapStock.
type stockWrites struct {
	inventory.Storer
	cache *Cache
}

// SetStock implements inventory.Storer and invalidates when it changed the
// stock document.
func (w stockWrites) SetStock(ctx context.Context, st inventory.Stock) (bool, error) {
	changed, err := w.Storer.SetStock(ctx, st)
	if changed {
		err = w.cache.invalidateAfter(ctx, st.ProductID, err)
	}
	return changed, err
}

// entry is the cached form of a product.
type entry struct {
	ID           string     `json:"id"`
	Name         string     `json:"name"`
	Description  string     `json:"description,omitempty"`
	Price        int        `json:"price"`
	Quantity     int        `json:"quantity"`
	StockVersion int64      `json:"stockVersion"`
	CreatedAt    time.Time  `json:"createdAt"`
	UpdatedAt    time.Time  `json:"updatedAt"`
	DeletedAt    *time.Time `json:"deletedAt,omitempty"`

	SKU             string              `json:"sku,omitempty"`
	VariantName     string              `json:"variantName,omitempty"`
	DefaultQuantity int                 `json:"defaultQuantity"`
	Attributes      []catalog.Attribute `json:"attributes,omitempty"`
	Images          []catalog.Image     `json:"images,omitempty"`
	CategoryIDs     []string            `json:"categoryIds,omitempty"`
	Variants        []catalog.Variant   `json:"variants,omitempty"`
	Listed          int                 `json:"listed"`
}

func fromProduct(p catalog.Product) entry { return entry(p) }

func (e entry) product() catalog.Product { return catalog.Product(e) }

var _ catalog.Storer = (*Cache)(nil)
