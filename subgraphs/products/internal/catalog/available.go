package catalog

import (
	"context"
	"errors"
	"fmt"
)

// maxAvailableRounds bounds the write-and-check rounds of one refresh;
// each extra round means another refresh wrote an older figure meanwhile.
const maxAvailableRounds = 8

// Availability is a product's denormalized available figure as stored and
// the quantity it mirrors.
type Availability struct {
	// Stored is the figure on the product document; Known is false when
	// the document has none (stored before the figure existed).
	Stored int
	Known  bool
	// Actual is the product's quantity across every variant, read from
	// the stock documents.
	Actual int
}

// RefreshAvailable copies the quantity of the product that owns stockID
// (a product's or a variant's id) into the available figure on the
// product's document, which the connection's inStock filter and STOCK
// sort read. The inventory calls it at the end of every snapshot job
// (see inventory.Service.SetSnapshotHook), before it takes the product
// off the dirty list, so a failed refresh is retried by the repair sweep
// like a failed snapshot, and the figure converges to the snapshots.
//
// Figures are written without a condition (as snapshots are), so two
// refreshes of one product racing (two variants' jobs) could leave the
// older sum last: every refresh therefore reads again after its write and
// writes again until the stored figure matches, so whoever writes last
// checks last. An unknown product (a variant whose document is not yet
// written, or an id that is no product's) is not an error: CreateVariant
// refreshes its product once the variant is stored.
func (s *Service) RefreshAvailable(ctx context.Context, stockID string) error {
	owner, err := StockUnits{Store: s.store}.OwnerOf(ctx, stockID)
	if err != nil {
		return fmt.Errorf("refresh available: %w", err)
	}
	return s.refreshAvailable(ctx, owner)
}

func (s *Service) refreshAvailable(ctx context.Context, productID string) error {
	for range maxAvailableRounds {
		a, err := s.store.Availability(ctx, productID)
		if errors.Is(err, ErrNotFound) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("refresh available: %w", err)
		}
		if a.Known && a.Stored == a.Actual {
			return nil
		}
		if err := s.store.SetAvailable(ctx, productID, a.Actual); err != nil {
			return fmt.Errorf("refresh available: %w", err)
		}
	}
	return fmt.Errorf("refresh available of %s: still behind the stock after %d rounds", productID, maxAvailableRounds)
}

// BackfillAvailable gives every product stored before the available
// figure existed its figure, so the inStock filter and STOCK sort see
// them; it runs once at start-up and costs one scan when none is missing.
func (s *Service) BackfillAvailable(ctx context.Context) error {
	ids, err := s.store.UnlistedProducts(ctx)
	if err != nil {
		return fmt.Errorf("backfill available: %w", err)
	}
	var errs []error
	for _, id := range ids {
		if err := s.refreshAvailable(ctx, id); err != nil {
			errs = append(errs, fmt.Errorf("backfill available: %w", err))
		}
	}
	return errors.Join(errs...)
}
