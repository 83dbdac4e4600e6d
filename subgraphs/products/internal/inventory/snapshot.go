package inventory

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// maxSnapshotRounds bounds the write-and-check rounds of one snapshot job;
// each extra round means another writer overwrote the snapshot meanwhile.
const maxSnapshotRounds = 8

// DefaultSyncGrace is how old a ledger entry must be before a replica that
// sees its StockChanged event while the stock document still lags writes
// the snapshot itself: younger entries usually have their appender's own
// snapshot job in flight.
const DefaultSyncGrace = 2 * time.Second

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
//
// A job that fails, or never runs because its process died after the
// append, leaves the product on the dirty list (see Storer.MarkDirty):
// every append lists its product before it is written, and only a job that
// found the snapshot caught up takes it off, checking again afterwards.
// The repair sweep (RepairSnapshots) and the StockChanged events (see
// SyncStock) bring such a snapshot up to date within seconds. The one
// case the list misses (an append listed while another job was about to
// take the product off, whose process then died before its own job) is
// left to the events, which every replica reads.
type snapshots = coalescer[Movement, struct{}]

// syncSnapshot makes the stock document show m (or, for a zero m, the
// ledger head), returning once a snapshot job that started after the call
// has finished, so a read after a movement sees it. Failures are logged:
// the product stays on the dirty list, and the repair sweep fixes it.
func (s *Service) syncSnapshot(ctx context.Context, productID string, m Movement) {
	if _, err := s.snaps.do(ctx, productID, m); err != nil && ctx.Err() == nil {
		s.log.Warn("stock snapshot not updated; the repair sweep retries it", "product", productID, "err", err)
	}
}

// markDirty lists a product before an entry is appended to its ledger.
func (s *Service) markDirty(ctx context.Context, productID string) error {
	if err := s.store.MarkDirty(ctx, productID, s.now()); err != nil {
		return fmt.Errorf("append movement: %w", err)
	}
	return nil
}

// writeSnapshot is one snapshot job: it writes the newest of the heads its
// callers appended, then checks the result against the ledger. Once the
// snapshot is caught up it takes the product off the dirty list and checks
// once more: an entry appended meanwhile puts the product back on the
// list and the job goes on.
func (s *Service) writeSnapshot(ctx context.Context, productID string, heads []Movement) (struct{}, error) {
	var target Movement
	for _, m := range heads {
		if m.Version > target.Version {
			target = m
		}
	}
	cleared := false
	for range maxSnapshotRounds {
		if target.Version > 0 {
			st := Stock{ProductID: productID, Quantity: target.Balance, Version: target.Version, UpdatedAt: target.CreatedAt}
			if _, err := s.store.SetStock(ctx, st); err != nil {
				return struct{}{}, fmt.Errorf("snapshot of %s: %w", productID, err)
			}
		}
		head, stored, err := s.readHead(ctx, productID)
		if err != nil {
			return struct{}{}, s.relist(productID, cleared, fmt.Errorf("snapshot of %s: %w", productID, err))
		}
		if stored >= head.Version {
			if cleared {
				return struct{}{}, nil
			}
			if s.snapshotHook != nil {
				if err := s.snapshotHook(ctx, productID); err != nil {
					return struct{}{}, fmt.Errorf("snapshot of %s: %w", productID, err)
				}
			}
			if err := s.store.ClearDirty(ctx, productID); err != nil {
				return struct{}{}, fmt.Errorf("snapshot of %s: %w", productID, err)
			}
			cleared, target = true, Movement{}
			continue
		}
		if cleared {
			if err := s.store.MarkDirty(ctx, productID, s.now()); err != nil {
				return struct{}{}, fmt.Errorf("snapshot of %s: %w", productID, err)
			}
			cleared = false
		}
		target = head
	}
	return struct{}{}, s.relist(productID, cleared, fmt.Errorf("snapshot of %s: still behind the ledger after %d rounds", productID, maxSnapshotRounds))
}

// relist puts a product back on the dirty list (when the failing job took
// it off) before the job reports err.
func (s *Service) relist(productID string, cleared bool, err error) error {
	if !cleared {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), jobTimeout)
	defer cancel()
	return errors.Join(err, s.store.MarkDirty(ctx, productID, s.now()))
}

// RepairSnapshots brings up to date the stock documents of the products on
// the dirty list that were listed more than grace ago (younger ones
// usually have their snapshot job running), and returns how many it
// checked. Every replica may run it: a repair is a snapshot job like any
// other. It reads the dirty list whole; the list keeps only the products
// whose snapshot has not been checked since their last append.
func (s *Service) RepairSnapshots(ctx context.Context, grace time.Duration) (int, error) {
	dirty, err := s.store.DirtyStock(ctx)
	if err != nil {
		return 0, fmt.Errorf("repair snapshots: %w", err)
	}
	cutoff := s.now().Add(-grace)
	n := 0
	var errs []error
	for _, d := range dirty {
		if d.Since.After(cutoff) {
			continue
		}
		n++
		if _, err := s.snaps.do(ctx, d.ProductID, Movement{}); err != nil {
			errs = append(errs, fmt.Errorf("repair snapshots: %w", err))
		}
	}
	return n, errors.Join(errs...)
}

// SetSnapshotHook sets what runs when a snapshot job finds a stock's
// document caught up with its ledger, before the job takes the stock off
// the dirty list: the catalog copies the owning product's quantity into
// the figure its product list filters and sorts on. A hook that fails
// leaves the stock listed, so the repair sweep runs the job, and the
// hook, again. Call it while wiring the service.
func (s *Service) SetSnapshotHook(hook func(ctx context.Context, stockID string) error) {
	s.snapshotHook = hook
}

// SetSyncGrace sets how old a ledger entry must be before SyncStock
// repairs its lagging snapshot at once; call it while wiring the service.
func (s *Service) SetSyncGrace(d time.Duration) {
	if d >= 0 {
		s.syncGrace = d
	}
}

// SyncStock brings a product's stock document up to version (the version
// of a StockChanged event that at names), unless it shows that version
// already. Every replica calls it for every StockChanged event it reads,
// so a snapshot lost with its process is repaired without waiting for
// the product's next movement. An entry younger than the sync grace gets
// one delayed check instead: its appender's own job usually lands first.
func (s *Service) SyncStock(ctx context.Context, productID string, version int64, at time.Time) error {
	behind, err := s.stockBehind(ctx, productID, version)
	if err != nil || !behind {
		return err
	}
	wait := s.syncGrace - s.now().Sub(at)
	if wait <= 0 {
		return s.repairStock(ctx, productID)
	}
	if _, scheduled := s.resyncs.LoadOrStore(productID, struct{}{}); scheduled {
		return nil
	}
	time.AfterFunc(wait, func() {
		s.resyncs.Delete(productID)
		ctx, cancel := context.WithTimeout(context.Background(), jobTimeout)
		defer cancel()
		behind, err := s.stockBehind(ctx, productID, version)
		if err == nil && behind {
			err = s.repairStock(ctx, productID)
		}
		if err != nil {
			s.log.Warn("stock snapshot not synced; the repair sweep retries it", "product", productID, "err", err)
		}
	})
	return nil
}

// stockBehind reports whether a product's stock document shows a version
// older than version (one point read).
func (s *Service) stockBehind(ctx context.Context, productID string, version int64) (bool, error) {
	st, err := s.store.Stock(ctx, productID)
	if err != nil && !errors.Is(err, ErrNotFound) {
		return false, fmt.Errorf("sync stock: %w", err)
	}
	return st.Version < version, nil
}

func (s *Service) repairStock(ctx context.Context, productID string) error {
	if _, err := s.snaps.do(ctx, productID, Movement{}); err != nil {
		return fmt.Errorf("sync stock: %w", err)
	}
	return nil
}
