package ordering

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"
)

// LeaseSlot is the length of one recovery lease slot.
const LeaseSlot = 10 * time.Second

// LeaseStore records who holds each lease slot, insert-only: a slot's
// record is never changed once written, only deleted when long past.
type LeaseStore interface {
	// ClaimSlot inserts the slot's record for owner unless the slot has
	// one, and returns the slot's owner either way.
	ClaimSlot(ctx context.Context, slot int64, owner string) (string, error)
	// SlotOwner returns the slot's owner, "" when nobody claimed it.
	SlotOwner(ctx context.Context, slot int64) (string, error)
	// DropSlot deletes a slot's record (idempotent).
	DropSlot(ctx context.Context, slot int64) error
}

// Lease lets one replica at a time run recovery. Time is cut into slots of
// LeaseSlot, and each slot has at most one record, whose unique _id makes
// exactly one insert win: the winner holds the slot. Updates cannot carry
// a lease here, since the embedded store runs an update as a read followed
// by a write and two replicas could both "renew" the same record.
//
// Holding on: the holder of slot k inserts the record of slot k+1 during
// the second half of slot k, before the boundary. Every other replica
// claims only the slot its clock is in, so it reaches slot k+1 after the
// boundary and finds the holder's record. When the holder stops (crash,
// deploy), nobody pre-inserts the next slot and the first replica to
// reach it after the boundary takes over; recovery pauses for at most
// about one slot.
//
// Clocks: the holder renews at least LeaseSlot/4 before the boundary
// (Run ticks every LeaseSlot/4), so clocks that differ by less than that
// never see two holders. With a larger skew two replicas can overlap for
// part of a slot; that only costs duplicate work, since every recovery
// step is idempotent (unique transition steps, idempotent releases). The
// lease keeps the load of one recovery loop, not correctness.
type Lease struct {
	store LeaseStore
	owner string
	log   *slog.Logger
	now   func() time.Time

	mu sync.Mutex
	// owners caches slot owners seen: records never change, so a slot
	// read once need not be read again.
	owners map[int64]string
	until  time.Time
}

// NewLease returns a lease for owner (unique per process); now nil means
// time.Now.
func NewLease(store LeaseStore, owner string, log *slog.Logger, now func() time.Time) *Lease {
	if now == nil {
		now = time.Now
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Lease{store: store, owner: owner, log: log, now: now, owners: map[int64]string{}}
}

func slotOf(t time.Time) int64 { return t.UnixNano() / int64(LeaseSlot) }

func slotStart(slot int64) time.Time { return time.Unix(0, slot*int64(LeaseSlot)) }

// Hold claims the current slot if it is free and, while this owner holds
// it, the next one once the current slot is half over. It returns until
// when this owner holds the lease (a time not after now when it does not).
func (l *Lease) Hold(ctx context.Context) (time.Time, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	k := slotOf(now)
	for s := range l.owners {
		if s < k-1 {
			delete(l.owners, s)
		}
	}
	held, err := l.claim(ctx, k)
	if err != nil || !held {
		l.until = time.Time{}
		return l.until, err
	}
	l.until = slotStart(k + 1)
	if now.Before(slotStart(k).Add(LeaseSlot / 2)) {
		return l.until, nil
	}
	next, err := l.claim(ctx, k+1)
	if err != nil {
		return l.until, err
	}
	if next {
		l.until = slotStart(k + 2)
		// Records of past slots are only garbage now.
		if err := l.store.DropSlot(ctx, k-1); err != nil {
			l.log.Warn("old recovery lease record not deleted", "slot", k-1, "err", err)
		}
	}
	return l.until, nil
}

// claim reports whether this owner holds slot, inserting its record when
// the slot has none.
func (l *Lease) claim(ctx context.Context, slot int64) (bool, error) {
	if owner, ok := l.owners[slot]; ok {
		return owner == l.owner, nil
	}
	owner, err := l.store.SlotOwner(ctx, slot)
	if err == nil && owner == "" {
		owner, err = l.store.ClaimSlot(ctx, slot, l.owner)
	}
	if err != nil {
		return false, fmt.Errorf("claim recovery lease: %w", err)
	}
	l.owners[slot] = owner
	return owner == l.owner, nil
}

// Held reports whether this owner holds the lease now, as of the last Hold.
func (l *Lease) Held() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.now().Before(l.until)
}

// Run calls Hold every LeaseSlot/4 until ctx ends.
func (l *Lease) Run(ctx context.Context) {
	t := time.NewTicker(LeaseSlot / 4)
	defer t.Stop()
	for {
		if _, err := l.Hold(ctx); err != nil && ctx.Err() == nil {
			l.log.Warn("recovery lease not renewed; will retry", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
