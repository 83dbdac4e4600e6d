// Package dedupe makes an event consumer skip events it has already
// handled, by event id. Kafka delivers at least once (a relay may publish
// an event twice, a consumer may crash before committing), so every
// consumer sees duplicates; recording each handled event id under a
// point-addressable _id turns redelivery into one point read.
//
// The record is written after the handler succeeds, so a crash in between
// hands the event to the handler again: handlers must still be safe to run
// twice for the same event, and this package only keeps that rare.
package dedupe

import (
	"context"
	"errors"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"

	"github.com/shopsupergraph/shop/platform/events"
	"github.com/shopsupergraph/shop/platform/kafkax"
	"github.com/shopsupergraph/shop/platform/mongox"
)

// Collection holds the handled event ids of every consumer of a database.
const Collection = "consumed_events"

// Store remembers the events one consumer has handled.
type Store struct {
	coll     *mongo.Collection
	consumer string
}

// New returns the store of the named consumer (e.g. its group id).
func New(db *mongo.Database, consumer string) *Store {
	return &Store{coll: db.Collection(Collection), consumer: consumer}
}

type record struct {
	ID string    `bson:"_id"`
	At time.Time `bson:"at"`
}

func (s *Store) id(eventID string) string { return s.consumer + ":" + eventID }

// Seen reports whether the consumer has handled the event.
func (s *Store) Seen(ctx context.Context, eventID string) (bool, error) {
	err := s.coll.FindOne(ctx, bson.D{{Key: "_id", Value: s.id(eventID)}}).Err()
	switch {
	case err == nil:
		return true, nil
	case errors.Is(err, mongo.ErrNoDocuments):
		return false, nil
	default:
		return false, fmt.Errorf("dedupe %s: %w", s.consumer, err)
	}
}

// Mark records that the consumer handled the event.
func (s *Store) Mark(ctx context.Context, eventID string) error {
	_, err := s.coll.InsertOne(ctx, record{ID: s.id(eventID), At: time.Now().UTC()})
	if err != nil && !mongox.IsDuplicateKey(err) {
		return fmt.Errorf("dedupe %s: %w", s.consumer, err)
	}
	return nil
}

// Wrap returns a handler that skips events already handled and records
// each event h handled. A failure to read or write the record is returned,
// so the consumer retries the event.
func (s *Store) Wrap(h kafkax.Handler) kafkax.Handler {
	return func(ctx context.Context, e events.Envelope) error {
		seen, err := s.Seen(ctx, e.ID)
		if err != nil {
			return err
		}
		if seen {
			return nil
		}
		if err := h(ctx, e); err != nil {
			return err
		}
		return s.Mark(ctx, e.ID)
	}
}
