// Package webhooks is the webhooks domain: what a webhook is, the rules it
// follows and the Storer it is kept in. The GraphQL layer translates to and
// from it; the MongoDB store (mongostore) implements Storer.
package webhooks

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// Limits of one webhook and of one list.
const (
	MinRating = 1
	MaxRating = 5
	// MaxBody is the longest body, in characters.
	MaxBody = 2000
	// PerProduct is how many webhooks of one product a list returns, the
	// newest first.
	PerProduct = 100
	// MaxProducts is how many products one lookup may name.
	MaxProducts = 500
)

// Sentinel errors; the GraphQL layer maps them to extensions.code.
var (
	// ErrInvalid wraps every refusal of a caller's input.
	ErrInvalid = errors.New("invalid input")
	// ErrUnauthenticated: writing needs a signed-in user.
	ErrUnauthenticated = errors.New("sign in first")
)

// Webhook is one webhook of a product.
type Webhook struct {
	ID        string
	ProductID string
	UserID    string
	Rating    int
	Body      string
	CreatedAt time.Time
}

// Storer keeps webhooks. Implementations translate driver errors and
// return at most limit webhooks per product, the newest first.
type Storer interface {
	Insert(ctx context.Context, r Webhook) error
	ByProducts(ctx context.Context, productIDs []string, limit int) (map[string][]Webhook, error)
}

// Service applies the rules of webhooks over a Storer.
type Service struct {
	store Storer
	now   func() time.Time
}

// NewService returns a Service over store.
func NewService(store Storer) *Service {
	return &Service{store: store, now: time.Now}
}

// NewWebhook is what a user writes.
type NewWebhook struct {
	ProductID string
	Rating    int
	Body      string
}

// Create stores a webhook by userID, who must be signed in (non-empty).
func (s *Service) Create(ctx context.Context, userID string, in NewWebhook) (Webhook, error) {
	if userID == "" {
		return Webhook{}, ErrUnauthenticated
	}
	if err := validate(in); err != nil {
		return Webhook{}, err
	}
	id, err := newID()
	if err != nil {
		return Webhook{}, fmt.Errorf("create webhook: %w", err)
	}
	r := Webhook{
		ID: id, ProductID: in.ProductID, UserID: userID, Rating: in.Rating,
		Body: strings.TrimSpace(in.Body), CreatedAt: s.now().UTC().Truncate(time.Millisecond),
	}
	if err := s.store.Insert(ctx, r); err != nil {
		return Webhook{}, fmt.Errorf("create webhook: %w", err)
	}
	return r, nil
}

// ByProducts returns the newest webhooks of each product (PerProduct at most).
func (s *Service) ByProducts(ctx context.Context, productIDs []string) (map[string][]Webhook, error) {
	if len(productIDs) > MaxProducts {
		return nil, fmt.Errorf("%w: at most %d products at once, got %d", ErrInvalid, MaxProducts, len(productIDs))
	}
	if len(productIDs) == 0 {
		return map[string][]Webhook{}, nil
	}
	out, err := s.store.ByProducts(ctx, productIDs, PerProduct)
	if err != nil {
		return nil, fmt.Errorf("list webhooks: %w", err)
	}
	return out, nil
}

func validate(in NewWebhook) error {
	var errs []error
	if strings.TrimSpace(in.ProductID) == "" {
		errs = append(errs, errors.New("productId must not be empty"))
	}
	if in.Rating < MinRating || in.Rating > MaxRating {
		errs = append(errs, fmt.Errorf("rating must be between %d and %d, got %d", MinRating, MaxRating, in.Rating))
	}
	if strings.TrimSpace(in.Body) == "" {
		errs = append(errs, errors.New("body must not be empty"))
	} else if n := utf8.RuneCountInString(in.Body); n > MaxBody {
		errs = append(errs, fmt.Errorf("body must be at most %d characters, got %d", MaxBody, n))
	}
	if len(errs) > 0 {
		return fmt.Errorf("%w: %w", ErrInvalid, errors.Join(errs...))
	}
	return nil
}

// newID returns a random 96-bit id in hex, the size of a MongoDB ObjectID.
func newID() (string, error) {
	var b [12]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	return hex.EncodeToString(b[:]), nil
}
