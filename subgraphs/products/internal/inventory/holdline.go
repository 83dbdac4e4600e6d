package inventory

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync"

	"github.com/shopsupergraph/shop/subgraphs/products/internal/input"
)

// A hold line is what one hold keeps of one product. Every ledger entry
// that changes it (hold, hold_release, and a checkout's reserve entry that
// takes held units over) takes the line's next position: the entry carries
// HoldLine = holdLineKey(hold, product, n), unique in the ledger, and Held,
// the units the hold keeps after it. Right after the entry, a copy is
// recorded under the same key (see recordOp), so the line is read by `_id`,
// position after position, until one is missing; the unique HoldLine lets
// no two entries take one position, and a position whose record is
// missing (a crash between the entry and its record) is found when the
// next entry collides with it.

// holdLineKey names position n of what hold holdID keeps of a product.
// Product ids have a fixed length and n ends the key, so keys of
// different lines never meet even when hold ids contain ':'.
func holdLineKey(holdID, productID string, n int) string {
	return "holdline:" + holdID + ":" + productID + ":" + strconv.Itoa(n)
}

// holdPos is the newest known position of a hold line.
type holdPos struct {
	n       int
	held    int
	version int64
}

// maxRememberedLines bounds the hold lines a service remembers.
const maxRememberedLines = 4096

// holdLines remembers the newest position this process saw of each hold
// line, so that reading a line costs one point read (of the position
// after it) instead of one per change of the line.
type holdLines struct {
	mu  sync.Mutex
	pos map[string]holdPos
}

func (l *holdLines) get(key string) holdPos {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.pos[key]
}

func (l *holdLines) remember(key string, p holdPos) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.pos == nil || len(l.pos) >= maxRememberedLines {
		l.pos = map[string]holdPos{}
	}
	if p.n > l.pos[key].n {
		l.pos[key] = p
	}
}

// holdLine reads the newest position of what holdID keeps of productID.
func (s *Service) holdLine(ctx context.Context, holdID, productID string) (holdPos, error) {
	key := holdID + "\x00" + productID
	pos := s.lines.get(key)
	for {
		m, ok, err := s.store.Op(ctx, holdLineKey(holdID, productID, pos.n+1))
		if err != nil {
			return holdPos{}, fmt.Errorf("read hold line: %w", err)
		}
		if !ok {
			s.lines.remember(key, pos)
			return pos, nil
		}
		pos = holdPos{n: pos.n + 1, held: m.Held, version: m.Version}
	}
}

// errStaleHead asks planLocked for a fresher head: the plan saw a ledger
// entry newer than the head it was given.
var errStaleHead = errors.New("ledger head older than the plan's reads")

// holdLineAt reads a hold line for a plan resting on head.
func (s *Service) holdLineAt(ctx context.Context, head Movement, holdID string) (holdPos, error) {
	pos, err := s.holdLine(ctx, holdID, head.ProductID)
	if err != nil {
		return holdPos{}, err
	}
	if pos.version > head.Version {
		return holdPos{}, errStaleHead
	}
	return pos, nil
}

// holdProducts lists the products a hold ever kept, in the order they
// were first held. They are recorded (see listHoldProduct) before the
// hold first keeps units of them, and read by `_id`, n = 1, 2, ...
func (s *Service) holdProducts(ctx context.Context, holdID string) ([]string, error) {
	var out []string
	for n := 1; ; n++ {
		id, ok, err := s.store.HoldProduct(ctx, holdID, n)
		if err != nil {
			return nil, fmt.Errorf("hold products: %w", err)
		}
		if !ok {
			return out, nil
		}
		out = append(out, id)
	}
}

// listHoldProduct records that a hold keeps (or is about to keep) units of
// a product, unless it is listed already; a hold lists at most
// MaxHoldProducts products.
func (s *Service) listHoldProduct(ctx context.Context, holdID, productID string) error {
	for n := 1; ; n++ {
		id, ok, err := s.store.HoldProduct(ctx, holdID, n)
		if err != nil {
			return fmt.Errorf("list hold product: %w", err)
		}
		if ok {
			if id == productID {
				return nil
			}
			continue
		}
		if n > MaxHoldProducts {
			return input.Invalid("lines", "a hold may keep at most %d different products over its life", MaxHoldProducts)
		}
		err = s.store.InsertHoldProduct(ctx, holdID, n, productID)
		if err == nil {
			return nil
		}
		if !errors.Is(err, ErrDuplicate) {
			return fmt.Errorf("list hold product: %w", err)
		}
		// Another call listed a product at n meanwhile: read it again.
		n--
	}
}
