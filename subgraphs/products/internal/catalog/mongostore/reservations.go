package mongostore

import (
	"context"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/bson"

	"github.com/shopsupergraph/shop/subgraphs/products/internal/catalog"
)

type reservedLineDoc struct {
	ProductID string `bson:"productId"`
	Quantity  int    `bson:"quantity"`
	UnitPrice int    `bson:"unitPrice"`
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
	CreatedAt  time.Time         `bson:"createdAt"`
	Released   bool              `bson:"released"`
	ReleasedAt *time.Time        `bson:"releasedAt,omitempty"`
}

// InsertReservation implements catalog.Storer.
func (s *Store) InsertReservation(ctx context.Context, r catalog.Reservation) error {
	d := reservationDoc{OrderID: r.OrderID, Status: r.Status, CreatedAt: r.CreatedAt, Released: r.Released, ReleasedAt: r.ReleasedAt,
		Lines: make([]reservedLineDoc, len(r.Lines))}
	for i, l := range r.Lines {
		d.Lines[i] = reservedLineDoc(l)
	}
	if p := r.Problem; p != nil {
		d.Problem = &problemDoc{Code: p.Code, Message: p.Message, ProductID: p.ProductID, Requested: p.Requested, Available: p.Available}
	}
	_, err := s.reservations.InsertOne(ctx, d)
	return translate("insert reservation", err)
}

// Reservation implements catalog.Storer.
func (s *Store) Reservation(ctx context.Context, orderID string) (catalog.Reservation, error) {
	var d reservationDoc
	if err := s.reservations.FindOne(ctx, bson.D{{Key: "_id", Value: orderID}}).Decode(&d); err != nil {
		return catalog.Reservation{}, translate("find reservation", err)
	}
	r := catalog.Reservation{OrderID: d.OrderID, Status: d.Status, CreatedAt: d.CreatedAt.UTC(), Released: d.Released, ReleasedAt: d.ReleasedAt}
	for _, l := range d.Lines {
		r.Lines = append(r.Lines, catalog.ReservedLine(l))
	}
	if p := d.Problem; p != nil {
		r.Problem = &catalog.Problem{Code: p.Code, Message: p.Message, ProductID: p.ProductID, Requested: p.Requested, Available: p.Available}
	}
	return r, nil
}

// MarkReleased implements catalog.Storer.
func (s *Store) MarkReleased(ctx context.Context, orderID string, at time.Time) error {
	res, err := s.reservations.UpdateOne(ctx, bson.D{{Key: "_id", Value: orderID}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "released", Value: true}, {Key: "releasedAt", Value: at}}}})
	if err != nil {
		return translate("mark released", err)
	}
	if res.MatchedCount == 0 {
		return fmt.Errorf("mark released: %w", catalog.ErrNotFound)
	}
	return nil
}
