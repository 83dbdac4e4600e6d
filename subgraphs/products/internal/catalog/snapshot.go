package catalog

import (
	"context"
	"fmt"
)

// maxSnapshotRounds bounds the write-and-check rounds of one snapshot job;
// each extra round means another writer overwrote the snapshot meanwhile.
const maxSnapshotRounds = 8

// snapshots runs the jobs that copy ledger heads into the stock documents.
// The ledger is the truth and a snapshot only mirrors it, so one job per
// product serves every append that waits for it (a crowd of reservations
// costs a few writes, not one each), and the job runs outside the
// product's lock.
//
// Stock documents are written by `_id` alone, so another replica's older
// snapshot can land after a newer one (and on FerretDB a condition on the
// stored version would not help: its updates are read-then-write). So
// every job ends by reading the ledger head and the stored snapshot
// version (after its own write) and writes again until the snapshot is not
// behind: whoever writes last checks last, and any entry appended after
// that check has a job of its own coming. Product documents are never
// written here, so no catalog edit can be lost to a snapshot.
type snapshots = coalescer[Movement, struct{}]

// syncSnapshot makes the stock document show m (or, for a zero m, the
// ledger head), returning once a snapshot job that started after the call
// has finished, so a read after a movement sees it. Failures are logged:
// the next movement's job repairs the snapshot.
func (s *Service) syncSnapshot(ctx context.Context, productID string, m Movement) {
	if _, err := s.snaps.do(ctx, productID, m); err != nil && ctx.Err() == nil {
		s.log.Warn("stock snapshot not updated; the next movement repairs it", "product", productID, "err", err)
	}
}

// writeSnapshot is one snapshot job: it writes the newest of the heads its
// callers appended, then checks the result against the ledger.
func (s *Service) writeSnapshot(ctx context.Context, productID string, heads []Movement) (struct{}, error) {
	var target Movement
	for _, m := range heads {
		if m.Version > target.Version {
			target = m
		}
	}
	for range maxSnapshotRounds {
		if target.Version > 0 {
			st := Stock{ProductID: productID, Quantity: target.Balance, Version: target.Version, UpdatedAt: target.CreatedAt}
			if _, err := s.store.SetStock(ctx, st); err != nil {
				return struct{}{}, fmt.Errorf("snapshot of %s: %w", productID, err)
			}
		}
		head, stored, err := s.readHead(ctx, productID)
		if err != nil {
			return struct{}{}, fmt.Errorf("snapshot of %s: %w", productID, err)
		}
		if stored >= head.Version {
			return struct{}{}, nil
		}
		target = head
	}
	return struct{}{}, fmt.Errorf("snapshot of %s: still behind the ledger after %d rounds", productID, maxSnapshotRounds)
}
