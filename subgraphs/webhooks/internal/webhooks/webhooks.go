// Package webhooks is the webhooks domain: staff register HTTPS endpoints
// for event types; every order or stock event of the shop becomes one
// delivery per subscribed endpoint, which the dispatcher posts, signed,
// until the endpoint answers 2xx or the retry window closes. The GraphQL
// layer translates to and from it; mongostore implements Storer.
package webhooks

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"time"
)

// EventType is what an endpoint subscribes to.
type EventType string

// Event types, mapped from the shop's Kafka events (see Map).
const (
	OrderCreated   EventType = "ORDER_CREATED"
	OrderConfirmed EventType = "ORDER_CONFIRMED"
	OrderRejected  EventType = "ORDER_REJECTED"
	OrderCancelled EventType = "ORDER_CANCELLED"
	StockChanged   EventType = "STOCK_CHANGED"
)

// EventTypes lists every event type in a stable order.
func EventTypes() []EventType {
	return []EventType{OrderCreated, OrderConfirmed, OrderRejected, OrderCancelled, StockChanged}
}

// Valid reports whether t is a known event type.
func (t EventType) Valid() bool {
	for _, k := range EventTypes() {
		if t == k {
			return true
		}
	}
	return false
}

// Status is where a delivery stands.
type Status string

// Delivery statuses. PENDING: not tried yet; RETRYING: tried, failed, due
// again at NextAttemptAt; DELIVERED: an attempt got 2xx; FAILED: the retry
// window closed without a 2xx.
const (
	StatusPending   Status = "PENDING"
	StatusRetrying  Status = "RETRYING"
	StatusDelivered Status = "DELIVERED"
	StatusFailed    Status = "FAILED"
)

// Limits.
const (
	// MaxEndpoints is how many endpoints the shop may register, so the
	// list and the fan-out of one event stay bounded.
	MaxEndpoints = 100
	// MaxURL is the longest endpoint URL, in bytes.
	MaxURL = 2048
	// MaxDescription is the longest description, in characters.
	MaxDescription = 500
	// MaxPage is the largest page of deliveries.
	MaxPage = 100
	// MaxErrorText bounds the error text an attempt records.
	MaxErrorText = 500
	// MaxAttempts bounds the attempts of one delivery whatever the retry
	// settings, so its document stays small; the last one failing ends it
	// FAILED like the close of the retry window.
	MaxAttempts = 100
)

// Sentinel errors; the GraphQL layer maps them to extensions.code.
var (
	// ErrUnauthenticated: no credentials were presented.
	ErrUnauthenticated = errors.New("sign in first")
	// ErrForbidden: the caller lacks the scope (see RequiredScope).
	ErrForbidden = errors.New("missing scope")
	// ErrInvalid wraps the refusal of a query argument (page size, cursor).
	ErrInvalid = errors.New("invalid input")
	// ErrNotFound: no endpoint or delivery with that id.
	ErrNotFound = errors.New("not found")
	// ErrDuplicate: a delivery with that id exists (stores return it).
	ErrDuplicate = errors.New("duplicate")
)

// Endpoint is a registered receiver.
type Endpoint struct {
	ID          string
	URL         string
	Events      []EventType
	Description string
	// Secret signs the deliveries; it leaves the service only in the
	// payloads of webhookCreate and webhookRotateSecret.
	Secret    string
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Subscribes reports whether e wants events of type t.
func (e Endpoint) Subscribes(t EventType) bool {
	for _, k := range e.Events {
		if k == t {
			return true
		}
	}
	return false
}

// Attempt is one try of a delivery.
type Attempt struct {
	At time.Time
	// HTTPStatus is 0 when no response came (connection refused, timeout,
	// refused address).
	HTTPStatus int
	Error      string
	Duration   time.Duration
}

// Delivery is one event for one endpoint. Its ID is derived from the
// endpoint, the source event and the type, so handling an event twice
// writes nothing new.
type Delivery struct {
	ID         string
	EndpointID string
	// MessageID is the Webhook-Id and the body's id: the same on every
	// attempt, and for every endpoint getting that event.
	MessageID string
	EventID   string
	Type      EventType
	// Payload is the JSON body posted, fixed when the delivery is made so
	// every attempt signs the same bytes.
	Payload       []byte
	Status        Status
	Attempts      []Attempt
	CreatedAt     time.Time
	NextAttemptAt time.Time
	// Deadline is when retries stop: CreatedAt plus the retry window.
	Deadline time.Time
}

// Page asks for a page of deliveries, newest first.
type Page struct {
	First int
	After string
}

// DeliveryPage is one page of an endpoint's deliveries.
type DeliveryPage struct {
	Deliveries []Delivery
	HasNext    bool
	Total      int
}

// Storer keeps endpoints and deliveries. Implementations translate driver
// errors: ErrNotFound for a missing id, ErrDuplicate for a delivery id
// already stored, ErrInvalid for a malformed cursor.
type Storer interface {
	InsertEndpoint(ctx context.Context, e Endpoint) error
	ReplaceEndpoint(ctx context.Context, e Endpoint) error
	DeleteEndpoint(ctx context.Context, id string) error
	Endpoint(ctx context.Context, id string) (Endpoint, error)
	// Endpoints returns at most limit endpoints, oldest first.
	Endpoints(ctx context.Context, limit int) ([]Endpoint, error)
	CountEndpoints(ctx context.Context) (int, error)

	// InsertDeliveries stores ds, skipping those whose id is stored.
	InsertDeliveries(ctx context.Context, ds []Delivery) error
	// SaveAttempt records the outcome of an attempt of d: its new status,
	// next attempt time and attempts.
	SaveAttempt(ctx context.Context, d Delivery) error
	// Due returns at most limit PENDING or RETRYING deliveries whose next
	// attempt is at or before now, soonest first, from an index.
	Due(ctx context.Context, now time.Time, limit int) ([]Delivery, error)
	Deliveries(ctx context.Context, endpointID string, p Page) (DeliveryPage, error)
}

// newID returns a random 96-bit hex id.
func newID() string {
	var b [12]byte
	if _, err := rand.Read(b[:]); err != nil {
		// crypto/rand does not fail on supported platforms.
		panic("crypto/rand: " + err.Error())
	}
	return hex.EncodeToString(b[:])
}
