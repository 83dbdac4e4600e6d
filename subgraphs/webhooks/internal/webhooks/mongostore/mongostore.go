// Package mongostore keeps webhook endpoints and deliveries in MongoDB
// (the service's own database): one document per endpoint in
// webhook_endpoints, one per delivery, its attempts inside, in
// webhook_deliveries, and one small document per delivery still to be
// attempted in webhook_due.
//
// The due list is a collection of its own so the dispatcher's query never
// grows with the history of deliveries: on MongoDB its (at) index serves
// it; on the embedded store, which scans for every filter but _id, it
// scans only the deliveries not yet settled. Deliveries are the truth: a
// due entry whose delivery is settled, or due later, is repaired when
// read, so a crash between the two writes loses nothing. An endpoint's
// delivery pages use the (endpointId, createdAt, _id) index.
package mongostore

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"

	"github.com/shopsupergraph/shop/platform/mongox"
	"github.com/shopsupergraph/shop/subgraphs/webhooks/internal/webhooks"
)

// Collections.
const (
	Endpoints  = "webhook_endpoints"
	Deliveries = "webhook_deliveries"
	DueList    = "webhook_due"
)

type dueDoc struct {
	ID string    `bson:"_id"`
	At time.Time `bson:"at"`
}

type endpointDoc struct {
	ID          string    `bson:"_id"`
	URL         string    `bson:"url"`
	Events      []string  `bson:"events"`
	Description string    `bson:"description"`
	Secret      string    `bson:"secret"`
	CreatedAt   time.Time `bson:"createdAt"`
	UpdatedAt   time.Time `bson:"updatedAt"`
}

type attemptDoc struct {
	At         time.Time `bson:"at"`
	HTTPStatus int       `bson:"httpStatus"`
	Error      string    `bson:"error,omitempty"`
	DurationMS int64     `bson:"durationMs"`
}

type deliveryDoc struct {
	ID            string       `bson:"_id"`
	EndpointID    string       `bson:"endpointId"`
	MessageID     string       `bson:"messageId"`
	EventID       string       `bson:"eventId"`
	Type          string       `bson:"type"`
	Payload       []byte       `bson:"payload"`
	Status        string       `bson:"status"`
	Attempts      []attemptDoc `bson:"attempts"`
	CreatedAt     time.Time    `bson:"createdAt"`
	NextAttemptAt *time.Time   `bson:"nextAttemptAt,omitempty"`
	Deadline      time.Time    `bson:"deadline"`
}

// Store implements webhooks.Storer.
type Store struct {
	endpoints  *mongo.Collection
	deliveries *mongo.Collection
	due        *mongo.Collection
}

var _ webhooks.Storer = (*Store)(nil)

// New returns a store over db, with its indexes.
func New(ctx context.Context, db *mongo.Database) (*Store, error) {
	s := &Store{endpoints: db.Collection(Endpoints), deliveries: db.Collection(Deliveries), due: db.Collection(DueList)}
	if err := mongox.EnsureIndexes(ctx, s.endpoints, mongo.IndexModel{Keys: bson.D{{Key: "createdAt", Value: 1}}}); err != nil {
		return nil, fmt.Errorf("webhook indexes: %w", err)
	}
	if err := mongox.EnsureIndexes(ctx, s.deliveries,
		mongo.IndexModel{Keys: bson.D{{Key: "endpointId", Value: 1}, {Key: "createdAt", Value: -1}, {Key: "_id", Value: -1}}},
	); err != nil {
		return nil, fmt.Errorf("webhook indexes: %w", err)
	}
	if err := mongox.EnsureIndexes(ctx, s.due, mongo.IndexModel{Keys: bson.D{{Key: "at", Value: 1}}}); err != nil {
		return nil, fmt.Errorf("webhook indexes: %w", err)
	}
	return s, nil
}

func toEndpointDoc(e webhooks.Endpoint) endpointDoc {
	evs := make([]string, len(e.Events))
	for i, t := range e.Events {
		evs[i] = string(t)
	}
	return endpointDoc{ID: e.ID, URL: e.URL, Events: evs, Description: e.Description, Secret: e.Secret, CreatedAt: e.CreatedAt, UpdatedAt: e.UpdatedAt}
}

func (d endpointDoc) endpoint() webhooks.Endpoint {
	evs := make([]webhooks.EventType, len(d.Events))
	for i, t := range d.Events {
		evs[i] = webhooks.EventType(t)
	}
	return webhooks.Endpoint{ID: d.ID, URL: d.URL, Events: evs, Description: d.Description, Secret: d.Secret,
		CreatedAt: d.CreatedAt.UTC(), UpdatedAt: d.UpdatedAt.UTC()}
}

// InsertEndpoint stores e.
func (s *Store) InsertEndpoint(ctx context.Context, e webhooks.Endpoint) error {
	if _, err := s.endpoints.InsertOne(ctx, toEndpointDoc(e)); err != nil {
		return fmt.Errorf("insert webhook: %w", err)
	}
	return nil
}

// ReplaceEndpoint rewrites e, or returns ErrNotFound.
func (s *Store) ReplaceEndpoint(ctx context.Context, e webhooks.Endpoint) error {
	res, err := s.endpoints.ReplaceOne(ctx, bson.D{{Key: "_id", Value: e.ID}}, toEndpointDoc(e))
	if err != nil {
		return fmt.Errorf("replace webhook: %w", err)
	}
	if res.MatchedCount == 0 {
		return webhooks.ErrNotFound
	}
	return nil
}

// DeleteEndpoint removes an endpoint, or returns ErrNotFound.
func (s *Store) DeleteEndpoint(ctx context.Context, id string) error {
	res, err := s.endpoints.DeleteOne(ctx, bson.D{{Key: "_id", Value: id}})
	if err != nil {
		return fmt.Errorf("delete webhook: %w", err)
	}
	if res.DeletedCount == 0 {
		return webhooks.ErrNotFound
	}
	return nil
}

// Endpoint returns one endpoint by id.
func (s *Store) Endpoint(ctx context.Context, id string) (webhooks.Endpoint, error) {
	var d endpointDoc
	err := s.endpoints.FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Decode(&d)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return webhooks.Endpoint{}, webhooks.ErrNotFound
	}
	if err != nil {
		return webhooks.Endpoint{}, fmt.Errorf("find webhook: %w", err)
	}
	return d.endpoint(), nil
}

// Endpoints returns at most limit endpoints, oldest first.
func (s *Store) Endpoints(ctx context.Context, limit int) ([]webhooks.Endpoint, error) {
	cur, err := s.endpoints.Find(ctx, bson.D{}, options.Find().SetSort(bson.D{{Key: "createdAt", Value: 1}, {Key: "_id", Value: 1}}).SetLimit(int64(limit)))
	if err != nil {
		return nil, fmt.Errorf("list webhooks: %w", err)
	}
	var docs []endpointDoc
	if err := cur.All(ctx, &docs); err != nil {
		return nil, fmt.Errorf("list webhooks: %w", err)
	}
	out := make([]webhooks.Endpoint, len(docs))
	for i, d := range docs {
		out[i] = d.endpoint()
	}
	return out, nil
}

// CountEndpoints returns how many endpoints are registered.
func (s *Store) CountEndpoints(ctx context.Context) (int, error) {
	n, err := s.endpoints.CountDocuments(ctx, bson.D{})
	if err != nil {
		return 0, fmt.Errorf("count webhooks: %w", err)
	}
	return int(n), nil
}

func toDeliveryDoc(d webhooks.Delivery) deliveryDoc {
	at := make([]attemptDoc, len(d.Attempts))
	for i, a := range d.Attempts {
		at[i] = attemptDoc{At: a.At, HTTPStatus: a.HTTPStatus, Error: a.Error, DurationMS: a.Duration.Milliseconds()}
	}
	doc := deliveryDoc{ID: d.ID, EndpointID: d.EndpointID, MessageID: d.MessageID, EventID: d.EventID, Type: string(d.Type),
		Payload: d.Payload, Status: string(d.Status), Attempts: at, CreatedAt: d.CreatedAt, Deadline: d.Deadline}
	if !d.NextAttemptAt.IsZero() {
		next := d.NextAttemptAt
		doc.NextAttemptAt = &next
	}
	return doc
}

func (d deliveryDoc) delivery() webhooks.Delivery {
	at := make([]webhooks.Attempt, len(d.Attempts))
	for i, a := range d.Attempts {
		at[i] = webhooks.Attempt{At: a.At.UTC(), HTTPStatus: a.HTTPStatus, Error: a.Error, Duration: time.Duration(a.DurationMS) * time.Millisecond}
	}
	out := webhooks.Delivery{ID: d.ID, EndpointID: d.EndpointID, MessageID: d.MessageID, EventID: d.EventID, Type: webhooks.EventType(d.Type),
		Payload: d.Payload, Status: webhooks.Status(d.Status), Attempts: at, CreatedAt: d.CreatedAt.UTC(), Deadline: d.Deadline.UTC()}
	if d.NextAttemptAt != nil {
		out.NextAttemptAt = d.NextAttemptAt.UTC()
	}
	return out
}

// InsertDeliveries stores ds and puts them on the due list; ids already
// stored are skipped, so handling one event twice stores its deliveries
// once (a due entry written again for a settled delivery is dropped when
// read).
func (s *Store) InsertDeliveries(ctx context.Context, ds []webhooks.Delivery) error {
	docs := make([]any, len(ds))
	due := make([]any, len(ds))
	for i, d := range ds {
		docs[i] = toDeliveryDoc(d)
		due[i] = dueDoc{ID: d.ID, At: d.NextAttemptAt}
	}
	if err := insertNew(ctx, s.deliveries, docs); err != nil {
		return fmt.Errorf("insert deliveries: %w", err)
	}
	if err := insertNew(ctx, s.due, due); err != nil {
		return fmt.Errorf("insert due deliveries: %w", err)
	}
	return nil
}

// insertNew inserts docs, skipping those whose _id is taken.
func insertNew(ctx context.Context, coll *mongo.Collection, docs []any) error {
	_, err := coll.InsertMany(ctx, docs, options.InsertMany().SetOrdered(false))
	if err == nil {
		return nil
	}
	var bwe mongo.BulkWriteException
	if errors.As(err, &bwe) && bwe.WriteConcernError == nil && len(bwe.WriteErrors) > 0 {
		for _, we := range bwe.WriteErrors {
			if we.Code != 11000 && we.Code != 11001 {
				return err
			}
		}
		return nil
	}
	if mongox.IsDuplicateKey(err) && len(docs) == 1 {
		return nil
	}
	return err
}

// SaveAttempt rewrites the delivery's status, next attempt and attempts.
func (s *Store) SaveAttempt(ctx context.Context, d webhooks.Delivery) error {
	doc := toDeliveryDoc(d)
	set := bson.D{{Key: "status", Value: doc.Status}, {Key: "attempts", Value: doc.Attempts}}
	update := bson.D{{Key: "$set", Value: set}}
	if doc.NextAttemptAt != nil {
		update[0].Value = append(set, bson.E{Key: "nextAttemptAt", Value: *doc.NextAttemptAt})
	} else {
		update = append(update, bson.E{Key: "$unset", Value: bson.D{{Key: "nextAttemptAt", Value: ""}}})
	}
	if _, err := s.deliveries.UpdateOne(ctx, bson.D{{Key: "_id", Value: d.ID}}, update); err != nil {
		return fmt.Errorf("save webhook attempt: %w", err)
	}
	if err := s.reschedule(ctx, d.ID, doc.NextAttemptAt); err != nil {
		return fmt.Errorf("save webhook attempt: %w", err)
	}
	return nil
}

// reschedule moves a due entry to at, or drops it when at is nil.
func (s *Store) reschedule(ctx context.Context, id string, at *time.Time) error {
	filter := bson.D{{Key: "_id", Value: id}}
	if at == nil {
		_, err := s.due.DeleteOne(ctx, filter)
		return err
	}
	_, err := s.due.UpdateOne(ctx, filter, bson.D{{Key: "$set", Value: bson.D{{Key: "at", Value: *at}}}}, options.Update().SetUpsert(true))
	return err
}

// Due returns the PENDING and RETRYING deliveries due by now, soonest
// first: the due list's entries, each delivery read by _id. Entries of
// settled or missing deliveries are dropped, entries behind their
// delivery's next attempt moved to it.
func (s *Store) Due(ctx context.Context, now time.Time, limit int) ([]webhooks.Delivery, error) {
	cur, err := s.due.Find(ctx, bson.D{{Key: "at", Value: bson.D{{Key: "$lte", Value: now.UTC()}}}},
		options.Find().SetSort(bson.D{{Key: "at", Value: 1}, {Key: "_id", Value: 1}}).SetLimit(int64(limit)))
	if err != nil {
		return nil, fmt.Errorf("due deliveries: %w", err)
	}
	var entries []dueDoc
	if err := cur.All(ctx, &entries); err != nil {
		return nil, fmt.Errorf("due deliveries: %w", err)
	}
	var out []webhooks.Delivery
	for _, e := range entries {
		var doc deliveryDoc
		err := s.deliveries.FindOne(ctx, bson.D{{Key: "_id", Value: e.ID}}).Decode(&doc)
		if err != nil && !errors.Is(err, mongo.ErrNoDocuments) {
			return nil, fmt.Errorf("due delivery: %w", err)
		}
		d := doc.delivery()
		switch {
		case errors.Is(err, mongo.ErrNoDocuments) || d.Status == webhooks.StatusDelivered || d.Status == webhooks.StatusFailed:
			err = s.reschedule(ctx, e.ID, nil)
		case d.NextAttemptAt.After(now):
			err = s.reschedule(ctx, e.ID, doc.NextAttemptAt)
		default:
			out = append(out, d)
		}
		if err != nil {
			return nil, fmt.Errorf("repair due list: %w", err)
		}
	}
	return out, nil
}

func decodeDeliveries(ctx context.Context, cur *mongo.Cursor) ([]webhooks.Delivery, error) {
	var docs []deliveryDoc
	if err := cur.All(ctx, &docs); err != nil {
		return nil, fmt.Errorf("read deliveries: %w", err)
	}
	out := make([]webhooks.Delivery, len(docs))
	for i, d := range docs {
		out[i] = d.delivery()
	}
	return out, nil
}

// cursor is the position after a delivery in the newest-first order.
type cursor struct {
	At int64  `json:"t"`
	ID string `json:"i"`
}

// EncodeCursor returns the opaque cursor of d.
func EncodeCursor(d webhooks.Delivery) string {
	b, _ := json.Marshal(cursor{At: d.CreatedAt.UnixMilli(), ID: d.ID}) //nolint:errcheck // two plain fields
	return base64.RawURLEncoding.EncodeToString(b)
}

func decodeCursor(s string) (cursor, error) {
	b, err := base64.RawURLEncoding.DecodeString(s)
	var c cursor
	if err != nil || json.Unmarshal(b, &c) != nil || c.ID == "" {
		return cursor{}, fmt.Errorf("%w: malformed cursor", webhooks.ErrInvalid)
	}
	return c, nil
}

// Deliveries returns a page of an endpoint's deliveries, newest first,
// over the (endpointId, createdAt, _id) index.
func (s *Store) Deliveries(ctx context.Context, endpointID string, p webhooks.Page) (webhooks.DeliveryPage, error) {
	filter := bson.D{{Key: "endpointId", Value: endpointID}}
	if p.After != "" {
		c, err := decodeCursor(p.After)
		if err != nil {
			return webhooks.DeliveryPage{}, err
		}
		at := time.UnixMilli(c.At).UTC()
		filter = append(filter, bson.E{Key: "$or", Value: bson.A{
			bson.D{{Key: "createdAt", Value: bson.D{{Key: "$lt", Value: at}}}},
			bson.D{{Key: "createdAt", Value: at}, {Key: "_id", Value: bson.D{{Key: "$lt", Value: c.ID}}}},
		}})
	}
	total, err := s.deliveries.CountDocuments(ctx, bson.D{{Key: "endpointId", Value: endpointID}})
	if err != nil {
		return webhooks.DeliveryPage{}, fmt.Errorf("count deliveries: %w", err)
	}
	page := webhooks.DeliveryPage{Total: int(total)}
	if p.First == 0 {
		return page, nil
	}
	cur, err := s.deliveries.Find(ctx, filter, options.Find().
		SetSort(bson.D{{Key: "createdAt", Value: -1}, {Key: "_id", Value: -1}}).SetLimit(int64(p.First+1)))
	if err != nil {
		return webhooks.DeliveryPage{}, fmt.Errorf("list deliveries: %w", err)
	}
	ds, err := decodeDeliveries(ctx, cur)
	if err != nil {
		return webhooks.DeliveryPage{}, err
	}
	if len(ds) > p.First {
		ds, page.HasNext = ds[:p.First], true
	}
	page.Deliveries = ds
	return page, nil
}
