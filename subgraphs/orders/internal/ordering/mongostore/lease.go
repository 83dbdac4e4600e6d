package mongostore

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"

	"github.com/shopsupergraph/shop/platform/mongox"
)

// LeasesCollection holds the recovery lease's slot records, _id
// "recovery:<slot>" (see ordering.Lease); every access is by _id.
const LeasesCollection = "order_leases"

type leaseDoc struct {
	ID    string    `bson:"_id"`
	Owner string    `bson:"owner"`
	At    time.Time `bson:"at"`
}

func leaseID(slot int64) string { return "recovery:" + strconv.FormatInt(slot, 10) }

// ClaimSlot implements ordering.LeaseStore: an insert whose unique _id
// picks one owner per slot.
func (s *Store) ClaimSlot(ctx context.Context, slot int64, owner string) (string, error) {
	_, err := s.leases.InsertOne(ctx, leaseDoc{ID: leaseID(slot), Owner: owner, At: time.Now().UTC()})
	if err == nil {
		return owner, nil
	}
	if !mongox.IsDuplicateKey(err) {
		return "", fmt.Errorf("claim lease slot: %w", err)
	}
	return s.SlotOwner(ctx, slot)
}

// SlotOwner implements ordering.LeaseStore.
func (s *Store) SlotOwner(ctx context.Context, slot int64) (string, error) {
	var d leaseDoc
	err := s.leases.FindOne(ctx, bson.D{{Key: "_id", Value: leaseID(slot)}}).Decode(&d)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("read lease slot: %w", err)
	}
	return d.Owner, nil
}

// DropSlot implements ordering.LeaseStore.
func (s *Store) DropSlot(ctx context.Context, slot int64) error {
	if _, err := s.leases.DeleteOne(ctx, bson.D{{Key: "_id", Value: leaseID(slot)}}); err != nil {
		return fmt.Errorf("drop lease slot: %w", err)
	}
	return nil
}
