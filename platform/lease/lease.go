// Package lease elects one holder among a service's replicas for a piece of
// background work (an outbox relay, a recovery sweep), using nothing but
// inserts keyed by _id.
//
// Time is cut into slots of a fixed length. The holder of slot s is the
// replica whose insert of the document "<name>:<s>" succeeded; a duplicate
// key tells every other replica it lost. The holder inserts the next slot's
// document ahead of time (in the last part of its slot), so it keeps the
// lease while it lives; the others only try once a slot has begun, and find
// the document taken. When the holder dies, nobody pre-inserts, and the
// first replica to try after the boundary takes over: a dead holder costs
// at most one slot.
//
// Why inserts: the embedded store (FerretDB) runs conditional updates as a
// read followed by a write, so two replicas could both "win" a
// compare-and-set on one lease document. A unique _id is enforced
// atomically on insert by FerretDB and MongoDB alike (and by a sharded
// MongoDB, since _id is always unique). Each step is a point operation by
// _id, so the cost does not grow with anything.
//
// Two replicas may both believe they hold the lease for a moment only when
// their clocks disagree by more than the early part of a slot; the work
// guarded here must tolerate that (outbox consumers deduplicate by event
// id; recovery steps are idempotent).
package lease

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strconv"
	"sync"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"

	"github.com/shopsupergraph/shop/platform/events"
	"github.com/shopsupergraph/shop/platform/mongox"
)

// Collection is the collection that holds lease slots.
const Collection = "leases"

// DefaultSlot is the slot length used when Options.Slot is zero.
const DefaultSlot = 10 * time.Second

// Options configure a Lease.
type Options struct {
	// Name identifies the work the lease guards, unique per database.
	Name string
	// Owner identifies this replica (e.g. host:pid plus a random suffix).
	Owner string
	// Slot is the length of one slot; DefaultSlot when zero.
	Slot time.Duration
	// Now returns the current time; time.Now when nil.
	Now func() time.Time
}

// Lease is one replica's view of who holds a named lease.
type Lease struct {
	coll  *mongo.Collection
	name  string
	owner string
	slot  time.Duration
	now   func() time.Time

	mu     sync.Mutex
	owners map[int64]string
}

type slotDoc struct {
	ID    string    `bson:"_id"`
	Owner string    `bson:"owner"`
	At    time.Time `bson:"at"`
}

// New returns a lease over db's leases collection.
func New(db *mongo.Database, o Options) *Lease {
	if o.Slot <= 0 {
		o.Slot = DefaultSlot
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return &Lease{coll: db.Collection(Collection), name: o.Name, owner: o.Owner, slot: o.Slot, now: o.Now, owners: map[int64]string{}}
}

// Held reports whether this replica holds the lease now, claiming the
// current slot if nobody has and, near the end of a held slot, the next
// one. It makes at most two point operations, and none while the answer
// for the current slot is known and the next slot is not due.
func (l *Lease) Held(ctx context.Context) (bool, error) {
	now := l.now()
	s := l.slotOf(now)
	owner, err := l.ownerOf(ctx, s)
	if err != nil {
		return false, err
	}
	if owner != l.owner {
		return false, nil
	}
	// In the last third of a held slot, claim the next one ahead of the
	// others, who only try once it has begun.
	if now.Add(l.slot / 3).After(l.start(s + 1)) {
		if _, err := l.ownerOf(ctx, s+1); err != nil {
			return true, err
		}
	}
	return true, nil
}

// Until returns how long until the current slot ends: a replica that does
// not hold the lease need not ask again before then.
func (l *Lease) Until() time.Duration {
	now := l.now()
	return l.start(l.slotOf(now) + 1).Sub(now)
}

// ownerOf returns the holder of slot s, claiming it if nobody has.
func (l *Lease) ownerOf(ctx context.Context, s int64) (string, error) {
	l.mu.Lock()
	owner, ok := l.owners[s]
	l.mu.Unlock()
	if ok {
		return owner, nil
	}
	id := l.name + ":" + strconv.FormatInt(s, 10)
	_, err := l.coll.InsertOne(ctx, slotDoc{ID: id, Owner: l.owner, At: l.now().UTC()})
	switch {
	case err == nil:
		owner = l.owner
		// Best effort: old slots are never read again.
		_, _ = l.coll.DeleteOne(ctx, bson.D{{Key: "_id", Value: l.name + ":" + strconv.FormatInt(s-3, 10)}}) //nolint:errcheck // garbage only
	case mongox.IsDuplicateKey(err):
		var d slotDoc
		if err := l.coll.FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Decode(&d); err != nil {
			if errors.Is(err, mongo.ErrNoDocuments) {
				// Deleted as garbage between our insert and read: a slot
				// that old is over, and holding it means nothing.
				return "", nil
			}
			return "", fmt.Errorf("lease %s: read slot: %w", l.name, err)
		}
		owner = d.Owner
	default:
		return "", fmt.Errorf("lease %s: claim slot: %w", l.name, err)
	}
	l.mu.Lock()
	l.owners[s] = owner
	for k := range l.owners {
		if k < s-1 {
			delete(l.owners, k)
		}
	}
	l.mu.Unlock()
	return owner, nil
}

func (l *Lease) slotOf(t time.Time) int64 { return t.UnixNano() / int64(l.slot) }

func (l *Lease) start(s int64) time.Time { return time.Unix(0, s*int64(l.slot)) }

// Owner returns a name for this process that no other replica shares: the
// host name, the process id and a random suffix (a restarted process on the
// same host with the same pid is another owner).
func Owner() string {
	host, err := os.Hostname()
	if err != nil {
		host = "unknown"
	}
	return fmt.Sprintf("%s:%d:%s", host, os.Getpid(), events.NewID()[:8])
}

// Keep asks Held several times per slot until ctx ends, so the holder
// claims each next slot ahead of the others even while its work is idle.
// Failures are retried on the next tick.
func (l *Lease) Keep(ctx context.Context) {
	t := time.NewTicker(l.slot / 6)
	defer t.Stop()
	for {
		_, _ = l.Held(ctx) //nolint:errcheck // retried on the next tick; Holding reports false meanwhile
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Holding reports, without a database call, whether this replica is known
// to hold the current slot (false when the slot's owner is not known yet).
// Long work checks it between items, so it stops soon after losing the
// lease.
func (l *Lease) Holding() bool {
	s := l.slotOf(l.now())
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.owners[s] == l.owner
}
