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
	"github.com/shopsupergraph/shop/subgraphs/products/internal/inventory"
)

type reservedLineDoc struct {
	ProductID string `bson:"productId"`
	Quantity  int    `bson:"quantity"`
	UnitPrice int    `bson:"unitPrice"`
	Version   int64  `bson:"version,omitempty"`
}

type problemDoc struct {
	Code      string `bson:"code"`
	Message   string `bson:"message"`
	ProductID string `bson:"productId"`
	Requested int    `bson:"requested"`
	Available int    `bson:"available"`
}

// reservationDoc is keyed by order id: the _id index makes the first
// decision the only one.
type reservationDoc struct {
	OrderID    string            `bson:"_id"`
	Status     string            `bson:"status"`
	Lines      []reservedLineDoc `bson:"lines"`
	Problem    *problemDoc       `bson:"problem,omitempty"`
	Reserved   []reservedLineDoc `bson:"reserved,omitempty"`
	DecidedBy  int               `bson:"decidedBy,omitempty"`
	CreatedAt  time.Time         `bson:"createdAt"`
	Released   bool              `bson:"released"`
	ReleasedAt *time.Time        `bson:"releasedAt,omitempty"`
}

// InsertReservation implements inventory.Storer.
func (s *Store) InsertReservation(ctx context.Context, r inventory.Reservation) error {
	d := reservationDoc{OrderID: r.OrderID, Status: r.Status, CreatedAt: r.CreatedAt, Released: r.Released, ReleasedAt: r.ReleasedAt,
		DecidedBy: r.DecidedBy, Lines: make([]reservedLineDoc, len(r.Lines))}
	for i, l := range r.Lines {
		d.Lines[i] = reservedLineDoc(l)
	}
	for _, l := range r.Reserved {
		d.Reserved = append(d.Reserved, reservedLineDoc(l))
	}
	if p := r.Problem; p != nil {
		d.Problem = &problemDoc{Code: p.Code, Message: p.Message, ProductID: p.ProductID, Requested: p.Requested, Available: p.Available}
	}
	err := s.insert(ctx, s.reservations, d)
	return translate("insert reservation", err)
}

// Reservation implements inventory.Storer.
func (s *Store) Reservation(ctx context.Context, orderID string) (inventory.Reservation, error) {
	var d reservationDoc
	if err := s.reservations.FindOne(ctx, bson.D{{Key: "_id", Value: orderID}}).Decode(&d); err != nil {
		return inventory.Reservation{}, translate("find reservation", err)
	}
	r := inventory.Reservation{OrderID: d.OrderID, Status: d.Status, CreatedAt: d.CreatedAt.UTC(), Released: d.Released, ReleasedAt: d.ReleasedAt,
		DecidedBy: d.DecidedBy}
	for _, l := range d.Lines {
		r.Lines = append(r.Lines, inventory.ReservedLine(l))
	}
	for _, l := range d.Reserved {
		r.Reserved = append(r.Reserved, inventory.ReservedLine(l))
	}
	if p := d.Problem; p != nil {
		r.Problem = &inventory.Problem{Code: p.Code, Message: p.Message, ProductID: p.ProductID, Requested: p.Requested, Available: p.Available}
	}
	return r, nil
}

// MarkReleased implements inventory.Storer.
func (s *Store) MarkReleased(ctx context.Context, orderID string, at time.Time) error {
	var res *mongo.UpdateResult
	err := s.lane.Do(func() error {
		var err error
		res, err = s.reservations.UpdateOne(ctx, bson.D{{Key: "_id", Value: orderID}},
			bson.D{{Key: "$set", Value: bson.D{{Key: "released", Value: true}, {Key: "releasedAt", Value: at}}}})
		return err //nolint:wrapcheck // translated below
	})
	if err != nil {
		return translate("mark released", err)
	}
	if res.MatchedCount == 0 {
		return fmt.Errorf("mark released: %w", inventory.ErrNotFound)
	}
	return nil
}

// attemptDoc is one runner's attempt at an order, keyed "orderId#n".
type attemptDoc struct {
	ID        string    `bson:"_id"`
	OrderID   string    `bson:"orderId"`
	N         int       `bson:"n"`
	Products  []string  `bson:"products"`
	CreatedAt time.Time `bson:"createdAt"`
}

func attemptKey(orderID string, n int) string { return orderID + "#" + strconv.Itoa(n) }

// InsertAttempt implements inventory.Storer.
func (s *Store) InsertAttempt(ctx context.Context, a inventory.Attempt) error {
	err := s.insert(ctx, s.attempts, attemptDoc{ID: attemptKey(a.OrderID, a.N), OrderID: a.OrderID, N: a.N, Products: a.Products, CreatedAt: a.CreatedAt})
	return translate("record attempt", err)
}

// Attempt implements inventory.Storer with one point read.
func (s *Store) Attempt(ctx context.Context, orderID string, n int) (inventory.Attempt, bool, error) {
	var d attemptDoc
	err := s.attempts.FindOne(ctx, bson.D{{Key: "_id", Value: attemptKey(orderID, n)}}).Decode(&d)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return inventory.Attempt{}, false, nil
	}
	if err != nil {
		return inventory.Attempt{}, false, translate("read attempt", err)
	}
	return inventory.Attempt{OrderID: d.OrderID, N: d.N, Products: d.Products, CreatedAt: d.CreatedAt.UTC()}, true, nil
}

// markDoc is a marker: its existence is the fact it records.
type markDoc struct {
	ID string    `bson:"_id"`
	At time.Time `bson:"at"`
}

// InsertMark implements inventory.Storer.
func (s *Store) InsertMark(ctx context.Context, key string) error {
	err := s.insert(ctx, s.marks, markDoc{ID: key, At: time.Now().UTC()})
	if mongox.IsDuplicateKey(err) {
		return nil
	}
	return translate("insert mark", err)
}

// HasMark implements inventory.Storer with one point read.
func (s *Store) HasMark(ctx context.Context, key string) (bool, error) {
	err := s.marks.FindOne(ctx, bson.D{{Key: "_id", Value: key}}).Err()
	if errors.Is(err, mongo.ErrNoDocuments) {
		return false, nil
	}
	if err != nil {
		return false, translate("read mark", err)
	}
	return true, nil
}

// pendingDoc lists an attempt not yet settled, keyed like the attempt.
type pendingDoc struct {
	ID        string    `bson:"_id"`
	OrderID   string    `bson:"orderId"`
	N         int       `bson:"n"`
	CreatedAt time.Time `bson:"createdAt"`
}

// InsertPending implements inventory.Storer with one insert; an attempt
// listed already is not an error.
func (s *Store) InsertPending(ctx context.Context, a inventory.Attempt) error {
	err := s.insert(ctx, s.pending, pendingDoc{ID: attemptKey(a.OrderID, a.N), OrderID: a.OrderID, N: a.N, CreatedAt: a.CreatedAt})
	if mongox.IsDuplicateKey(err) {
		return nil
	}
	return translate("list attempt", err)
}

// DeletePending implements inventory.Storer with one delete by `_id`.
func (s *Store) DeletePending(ctx context.Context, orderID string, n int) error {
	err := s.lane.Do(func() error {
		_, err := s.pending.DeleteOne(ctx, bson.D{{Key: "_id", Value: attemptKey(orderID, n)}})
		return err //nolint:wrapcheck // translated below
	})
	return translate("unlist attempt", err)
}

// PendingAttempts implements inventory.Storer: the reconciler's one query,
// a whole read of the small list of attempts not yet settled.
func (s *Store) PendingAttempts(ctx context.Context) ([]inventory.Attempt, error) {
	cur, err := s.pending.Find(ctx, bson.D{})
	if err != nil {
		return nil, translate("pending attempts", err)
	}
	var docs []pendingDoc
	if err := cur.All(ctx, &docs); err != nil {
		return nil, translate("pending attempts", err)
	}
	out := make([]inventory.Attempt, len(docs))
	for i, d := range docs {
		out[i] = inventory.Attempt{OrderID: d.OrderID, N: d.N, CreatedAt: d.CreatedAt.UTC()}
	}
	return out, nil
}
