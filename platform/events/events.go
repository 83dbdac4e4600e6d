// Package events defines the envelope and the event types that travel
// between services over Kafka. Topics are keyed by aggregate id so events of
// one aggregate stay ordered; consumers are idempotent by envelope ID.
package events

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// Topics, one per producing service.
const (
	TopicUsers    = "shop.users"
	TopicProducts = "shop.products"
	TopicOrders   = "shop.orders"
)

// Event types.
const (
	UserRegistered = "UserRegistered"
	ProductCreated = "ProductCreated"
	ProductUpdated = "ProductUpdated"
	ProductDeleted = "ProductDeleted"
	StockChanged   = "StockChanged"
	OrderPlaced    = "OrderPlaced"
	OrderCancelled = "OrderCancelled"
	OrderRejected  = "OrderRejected"
)

// Envelope is the JSON document written to Kafka: {id, type, occurredAt, data}.
type Envelope struct {
	ID         string          `json:"id" bson:"id"`
	Type       string          `json:"type" bson:"type"`
	OccurredAt time.Time       `json:"occurredAt" bson:"occurredAt"`
	Data       json.RawMessage `json:"data" bson:"-"`
}

// New builds an envelope with a fresh random id around data.
func New(typ string, occurredAt time.Time, data any) (Envelope, error) {
	raw, err := json.Marshal(data)
	if err != nil {
		return Envelope{}, fmt.Errorf("encode %s event: %w", typ, err)
	}
	return Envelope{ID: NewID(), Type: typ, OccurredAt: occurredAt.UTC(), Data: raw}, nil
}

// NewID returns a random 128-bit hex id.
func NewID() string {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		// crypto/rand never fails on supported platforms; a failure here means
		// the OS is broken and no id can be trusted.
		panic(fmt.Sprintf("crypto/rand: %v", err))
	}
	return hex.EncodeToString(b[:])
}

// Decode parses the envelope's data into v. Its error is a Poison one:
// data that does not decode now never will.
func (e Envelope) Decode(v any) error {
	if err := json.Unmarshal(e.Data, v); err != nil {
		return Poison(fmt.Errorf("decode %s event %s: %w", e.Type, e.ID, err))
	}
	return nil
}

// ErrPoison marks a failure that no retry can cure: the event itself is
// wrong (its data does not decode, or fails validation). Consumers set
// such events aside in a dead-letter topic (see platform/kafkax) instead
// of retrying them forever; every other failure is presumed passing (a
// database or broker down) and retried.
var ErrPoison = errors.New("poison event")

// Poison marks err as a permanent failure of the event being handled: the
// result matches ErrPoison and still unwraps to err.
func Poison(err error) error {
	if err == nil {
		return nil
	}
	return poisonError{err}
}

type poisonError struct{ err error }

func (p poisonError) Error() string        { return p.err.Error() }
func (p poisonError) Unwrap() error        { return p.err }
func (p poisonError) Is(target error) bool { return target == ErrPoison }

// UserRegisteredData is the payload of UserRegistered.
type UserRegisteredData struct {
	UserID   string `json:"userId"`
	Username string `json:"username"`
}

// ProductData is the payload of ProductCreated, ProductUpdated and ProductDeleted.
type ProductData struct {
	ProductID string `json:"productId"`
	Name      string `json:"name"`
	Price     int    `json:"price"`
	Quantity  int    `json:"quantity"`
	Deleted   bool   `json:"deleted,omitempty"`
}

// StockChangedData is the payload of StockChanged: one ledger movement.
type StockChangedData struct {
	ProductID string `json:"productId"`
	Quantity  int    `json:"quantity"`
	Delta     int    `json:"delta"`
	Reason    string `json:"reason"`
	OrderID   string `json:"orderId,omitempty"`
	Version   int64  `json:"version"`
}

// OrderLine is one product line of an order event.
type OrderLine struct {
	ProductID string `json:"productId"`
	// VariantID is the variant (SKU) reserved; absent for the product's
	// default variant when products did not name it (added later, so
	// consumers must accept its absence).
	VariantID string `json:"variantId,omitempty"`
	Quantity  int    `json:"quantity"`
	UnitPrice int    `json:"unitPrice"`
}

// OrderData is the payload of OrderPlaced, OrderCancelled and OrderRejected.
type OrderData struct {
	OrderID string      `json:"orderId"`
	UserID  string      `json:"userId"`
	Status  string      `json:"status"`
	Total   int         `json:"total"`
	Lines   []OrderLine `json:"lines"`
}
