// Package mongostore stores carts in MongoDB (or FerretDB). Sessions are
// inserted under a unique (userId, seq) index, the one write FerretDB
// decides atomically; lines are plain documents keyed by session,
// product and variant, written only by their owner's requests.
package mongostore

import (
	"context"
	"errors"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"

	"github.com/shopsupergraph/shop/platform/mongox"
	"github.com/shopsupergraph/shop/platform/readbudget"
	"github.com/shopsupergraph/shop/subgraphs/orders/internal/cart"
)

// Collection names.
const (
	SessionsCollection = "cart_sessions"
	LinesCollection    = "cart_lines"
)

// Store implements cart.Storer.
type Store struct {
	sessions *mongo.Collection
	lines    *mongo.Collection
}

// New returns a store over db; call EnsureIndexes once at start-up.
func New(db *mongo.Database) *Store {
	return &Store{sessions: db.Collection(SessionsCollection), lines: db.Collection(LinesCollection)}
}

// EnsureIndexes creates the unique session key and the line lookup index.
func (s *Store) EnsureIndexes(ctx context.Context) error {
	if err := mongox.EnsureIndexes(ctx, s.sessions, mongo.IndexModel{
		Keys: bson.D{{Key: "userId", Value: 1}, {Key: "seq", Value: 1}}, Options: options.Index().SetUnique(true).SetName("cart_session_seq"),
	}); err != nil {
		return fmt.Errorf("ensure cart indexes: %w", err)
	}
	if err := mongox.EnsureIndexes(ctx, s.lines, mongo.IndexModel{Keys: bson.D{{Key: "sessionId", Value: 1}}}); err != nil {
		return fmt.Errorf("ensure cart indexes: %w", err)
	}
	return nil
}

type sessionDoc struct {
	ID        string    `bson:"_id"`
	UserID    string    `bson:"userId"`
	Seq       int       `bson:"seq"`
	CreatedAt time.Time `bson:"createdAt"`
}

type lineDoc struct {
	ID        string `bson:"_id"`
	SessionID string `bson:"sessionId"`
	ProductID string `bson:"productId"`
	// VariantID is absent for the default variant, as in lines stored
	// before carts held variants.
	VariantID string    `bson:"variantId,omitempty"`
	Quantity  int       `bson:"quantity"`
	UpdatedAt time.Time `bson:"updatedAt"`
}

// LatestSession implements cart.Storer.
func (s *Store) LatestSession(ctx context.Context, userID string) (cart.Session, bool, error) {
	if err := readbudget.Spend(ctx, 1); err != nil {
		return cart.Session{}, false, fmt.Errorf("latest cart session: %w", err)
	}
	var d sessionDoc
	err := s.sessions.FindOne(ctx, bson.D{{Key: "userId", Value: userID}},
		options.FindOne().SetSort(bson.D{{Key: "seq", Value: -1}})).Decode(&d)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return cart.Session{}, false, nil
	}
	if err != nil {
		return cart.Session{}, false, fmt.Errorf("latest cart session: %w", err)
	}
	return cart.Session{ID: d.ID, UserID: d.UserID, Seq: d.Seq, CreatedAt: d.CreatedAt.UTC()}, true, nil
}

// InsertSession implements cart.Storer.
func (s *Store) InsertSession(ctx context.Context, c cart.Session) error {
	_, err := s.sessions.InsertOne(ctx, sessionDoc{ID: c.ID, UserID: c.UserID, Seq: c.Seq, CreatedAt: c.CreatedAt})
	if mongox.IsDuplicateKey(err) {
		return fmt.Errorf("insert cart session: %w", cart.ErrDuplicate)
	}
	if err != nil {
		return fmt.Errorf("insert cart session: %w", err)
	}
	return nil
}

// Lines implements cart.Storer. The query counts one read and one per
// line it returns.
func (s *Store) Lines(ctx context.Context, sessionID string) ([]cart.Line, error) {
	if err := readbudget.Spend(ctx, 1); err != nil {
		return nil, fmt.Errorf("cart lines: %w", err)
	}
	cur, err := s.lines.Find(ctx, bson.D{{Key: "sessionId", Value: sessionID}}, options.Find().SetSort(bson.D{{Key: "productId", Value: 1}, {Key: "variantId", Value: 1}}))
	if err != nil {
		return nil, fmt.Errorf("cart lines: %w", err)
	}
	var docs []lineDoc
	if err := cur.All(ctx, &docs); err != nil {
		return nil, fmt.Errorf("cart lines: %w", err)
	}
	if err := readbudget.Spend(ctx, len(docs)); err != nil {
		return nil, fmt.Errorf("cart lines: %w", err)
	}
	out := make([]cart.Line, 0, len(docs))
	for _, d := range docs {
		if d.Quantity > 0 {
			out = append(out, cart.Line{ProductID: d.ProductID, VariantID: d.VariantID, Quantity: d.Quantity})
		}
	}
	return out, nil
}

// SetLine implements cart.Storer.
func (s *Store) SetLine(ctx context.Context, sessionID string, l cart.Line, at time.Time) error {
	// The default variant's line keeps the id lines had before carts held
	// variants; another variant's line adds the variant's id.
	id := sessionID + ":" + l.ProductID
	if l.VariantID != "" {
		id += ":" + l.VariantID
	}
	if l.Quantity == 0 {
		if _, err := s.lines.DeleteOne(ctx, bson.D{{Key: "_id", Value: id}}); err != nil {
			return fmt.Errorf("remove cart line: %w", err)
		}
		return nil
	}
	d := lineDoc{ID: id, SessionID: sessionID, ProductID: l.ProductID, VariantID: l.VariantID, Quantity: l.Quantity, UpdatedAt: at}
	for attempt := 0; ; attempt++ {
		_, err := s.lines.ReplaceOne(ctx, bson.D{{Key: "_id", Value: id}}, d, options.Replace().SetUpsert(true))
		// Two upserts of a new line can both try the insert; the loser
		// replaces the winner's document on its second try.
		if mongox.IsDuplicateKey(err) && attempt == 0 {
			continue
		}
		if err != nil {
			return fmt.Errorf("set cart line: %w", err)
		}
		return nil
	}
}

var _ cart.Storer = (*Store)(nil)
