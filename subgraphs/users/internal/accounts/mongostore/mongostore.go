// Package mongostore stores users in MongoDB (or FerretDB). Username
// uniqueness rests on a unique index over the normalized name, the one
// guarantee both servers enforce atomically, and each user document carries
// its UserRegistered event in the outbox field (added to the outbox
// collection just before, see platform/outbox).
package mongostore

import (
	"context"
	"errors"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/bson/primitive"
	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"

	"github.com/shopsupergraph/shop/platform/events"
	"github.com/shopsupergraph/shop/platform/mongox"
	"github.com/shopsupergraph/shop/platform/outbox"
	"github.com/shopsupergraph/shop/subgraphs/users/internal/accounts"
)

// Collection is the name of the users collection.
const Collection = "users"

// Store implements accounts.Storer.
type Store struct {
	coll   *mongo.Collection
	outbox *outbox.Store
	topic  string
}

var _ accounts.Storer = (*Store)(nil)

type userDoc struct {
	ID           primitive.ObjectID `bson:"_id"`
	Username     string             `bson:"username"`
	UsernameKey  string             `bson:"usernameKey"`
	Email        string             `bson:"email,omitempty"`
	PasswordHash string             `bson:"passwordHash"`
	CreatedAt    time.Time          `bson:"createdAt"`
	IsStaff      bool               `bson:"isStaff,omitempty"`
	Scopes       []string           `bson:"scopes,omitempty"`
	TokenVersion int64              `bson:"tokenVersion,omitempty"`
	Outbox       *outbox.Entry      `bson:"outbox,omitempty"`
}

func (d userDoc) user() accounts.User {
	return accounts.User{
		ID:           d.ID.Hex(),
		Username:     d.Username,
		Email:        d.Email,
		PasswordHash: []byte(d.PasswordHash),
		CreatedAt:    d.CreatedAt.UTC(),
		Staff:        d.IsStaff,
		Scopes:       d.Scopes,
		TokenVersion: d.TokenVersion,
	}
}

// New returns a store over db's users collection, publishing events to
// topic, and creates the indexes it relies on.
func New(ctx context.Context, db *mongo.Database, topic string) (*Store, error) {
	coll := db.Collection(Collection)
	err := mongox.EnsureIndexes(ctx, coll,
		mongo.IndexModel{
			Keys:    bson.D{{Key: "usernameKey", Value: 1}},
			Options: options.Index().SetUnique(true).SetName("usernameKey_unique"),
		},
		// The pages of usersConnection: by registration time, and both
		// orders for staff or customers only.
		mongo.IndexModel{Keys: bson.D{{Key: "createdAt", Value: 1}, {Key: "_id", Value: 1}}, Options: options.Index().SetName("createdAt_id")},
		mongo.IndexModel{Keys: bson.D{{Key: "isStaff", Value: 1}, {Key: "usernameKey", Value: 1}}, Options: options.Index().SetName("isStaff_usernameKey")},
		mongo.IndexModel{Keys: bson.D{{Key: "isStaff", Value: 1}, {Key: "createdAt", Value: 1}, {Key: "_id", Value: 1}}, Options: options.Index().SetName("isStaff_createdAt_id")},
	)
	if err != nil {
		return nil, fmt.Errorf("new user store: %w", err)
	}
	return &Store{coll: coll, outbox: outbox.NewStore(db, nil), topic: topic}, nil
}

// NewID returns a new ObjectID in hex.
func (s *Store) NewID() string { return primitive.NewObjectID().Hex() }

// Create inserts the user with its event in one document.
func (s *Store) Create(ctx context.Context, u accounts.User, usernameKey string, ev events.Envelope) error {
	oid, err := primitive.ObjectIDFromHex(u.ID)
	if err != nil {
		return fmt.Errorf("create user: %w", accounts.ErrInvalidID)
	}
	entry := outbox.NewEntry(s.topic, u.ID, 0, ev)
	doc := userDoc{
		ID:           oid,
		Username:     u.Username,
		UsernameKey:  usernameKey,
		Email:        u.Email,
		PasswordHash: string(u.PasswordHash),
		CreatedAt:    u.CreatedAt,
		IsStaff:      u.Staff,
		Scopes:       u.Scopes,
		TokenVersion: u.TokenVersion,
		Outbox:       &entry,
	}
	if err := s.outbox.Add(ctx, Collection, oid, entry); err != nil {
		return fmt.Errorf("create user: %w", err)
	}
	if _, err := s.coll.InsertOne(ctx, doc); err != nil {
		s.outbox.Discard(context.WithoutCancel(ctx), entry.EventID)
		if mongox.IsDuplicateKey(err) {
			return accounts.ErrUsernameTaken
		}
		return fmt.Errorf("create user: %w", err)
	}
	return nil
}

// ByID finds one user.
func (s *Store) ByID(ctx context.Context, id string) (accounts.User, error) {
	oid, err := primitive.ObjectIDFromHex(id)
	if err != nil {
		return accounts.User{}, accounts.ErrInvalidID
	}
	return s.findOne(ctx, bson.D{{Key: "_id", Value: oid}})
}

// SetScopes makes the user staff with scopes and raises its token version,
// in one update by _id (a point write on both servers).
func (s *Store) SetScopes(ctx context.Context, id string, scopes []string) (accounts.User, error) {
	oid, err := primitive.ObjectIDFromHex(id)
	if err != nil {
		return accounts.User{}, accounts.ErrInvalidID
	}
	var d userDoc
	err = s.coll.FindOneAndUpdate(ctx, bson.D{{Key: "_id", Value: oid}},
		bson.D{
			{Key: "$set", Value: bson.D{{Key: "isStaff", Value: true}, {Key: "scopes", Value: scopes}}},
			{Key: "$inc", Value: bson.D{{Key: "tokenVersion", Value: 1}}},
		},
		options.FindOneAndUpdate().SetReturnDocument(options.After),
	).Decode(&d)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return accounts.User{}, accounts.ErrNotFound
	}
	if err != nil {
		return accounts.User{}, fmt.Errorf("set scopes: %w", err)
	}
	return d.user(), nil
}

// ByUsernameKey finds one user by normalized username.
func (s *Store) ByUsernameKey(ctx context.Context, key string) (accounts.User, error) {
	return s.findOne(ctx, bson.D{{Key: "usernameKey", Value: key}})
}

func (s *Store) findOne(ctx context.Context, filter bson.D) (accounts.User, error) {
	var d userDoc
	err := s.coll.FindOne(ctx, filter).Decode(&d)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return accounts.User{}, accounts.ErrNotFound
	}
	if err != nil {
		return accounts.User{}, fmt.Errorf("find user: %w", err)
	}
	return d.user(), nil
}

// ByIDs finds every existing user among ids with a single $in query.
func (s *Store) ByIDs(ctx context.Context, ids []string) ([]accounts.User, error) {
	oids := make([]primitive.ObjectID, 0, len(ids))
	seen := make(map[primitive.ObjectID]bool, len(ids))
	for _, id := range ids {
		oid, err := primitive.ObjectIDFromHex(id)
		if err != nil || seen[oid] {
			continue
		}
		seen[oid] = true
		oids = append(oids, oid)
	}
	if len(oids) == 0 {
		return nil, nil
	}
	return s.find(ctx, bson.D{{Key: "_id", Value: bson.D{{Key: "$in", Value: oids}}}}, options.Find())
}

// List returns users in id order.
func (s *Store) List(ctx context.Context, skip, take int) ([]accounts.User, error) {
	opts := options.Find().SetSort(bson.D{{Key: "_id", Value: 1}}).SetSkip(int64(skip)).SetLimit(int64(take))
	return s.find(ctx, bson.D{}, opts)
}

func (s *Store) find(ctx context.Context, filter bson.D, opts *options.FindOptions) ([]accounts.User, error) {
	cur, err := s.coll.Find(ctx, filter, opts)
	if err != nil {
		return nil, fmt.Errorf("find users: %w", err)
	}
	var docs []userDoc
	if err := cur.All(ctx, &docs); err != nil {
		return nil, fmt.Errorf("read users: %w", err)
	}
	out := make([]accounts.User, len(docs))
	for i, d := range docs {
		out[i] = d.user()
	}
	return out, nil
}

// Page reads one page of users by an indexed range: the filter, the
// position after the cursor, the sort and a limit.
func (s *Store) Page(ctx context.Context, r accounts.PageRequest) ([]accounts.User, error) {
	filter := pageFilter(r.Search, r.Staff)
	var after bson.D
	dir := 1
	cmp := "$gt"
	if r.Desc {
		dir, cmp = -1, "$lt"
	}
	if c := r.After; c != nil {
		oid, err := primitive.ObjectIDFromHex(c.ID)
		if err != nil {
			return nil, fmt.Errorf("page users: %w", accounts.ErrInvalidID)
		}
		if r.Sort == accounts.SortUsername {
			// usernameKey is unique: it alone orders the users.
			after = bson.D{{Key: "usernameKey", Value: bson.D{{Key: cmp, Value: c.Username}}}}
		} else {
			after = bson.D{{Key: "$or", Value: bson.A{
				bson.D{{Key: "createdAt", Value: bson.D{{Key: cmp, Value: c.Created}}}},
				bson.D{{Key: "createdAt", Value: c.Created}, {Key: "_id", Value: bson.D{{Key: cmp, Value: oid}}}},
			}}}
		}
	}
	if after != nil {
		// $and keeps the cursor's condition on usernameKey apart from the
		// search's range on the same field.
		filter = bson.D{{Key: "$and", Value: bson.A{filter, after}}}
		if len(pageFilter(r.Search, r.Staff)) == 0 {
			filter = after
		}
	}
	sort := bson.D{{Key: "usernameKey", Value: dir}}
	if r.Sort == accounts.SortCreated {
		sort = bson.D{{Key: "createdAt", Value: dir}, {Key: "_id", Value: dir}}
	}
	return s.find(ctx, filter, options.Find().SetSort(sort).SetLimit(int64(r.Limit)))
}

// Count counts the users matching the filter.
func (s *Store) Count(ctx context.Context, search string, staff *bool) (int, error) {
	n, err := s.coll.CountDocuments(ctx, pageFilter(search, staff))
	if err != nil {
		return 0, fmt.Errorf("count users: %w", err)
	}
	return int(n), nil
}

// pageFilter matches a normalized username prefix (a range on the
// usernameKey index) and staff or customers.
func pageFilter(search string, staff *bool) bson.D {
	f := bson.D{}
	if staff != nil {
		if *staff {
			f = append(f, bson.E{Key: "isStaff", Value: true})
		} else {
			f = append(f, bson.E{Key: "isStaff", Value: bson.D{{Key: "$ne", Value: true}}})
		}
	}
	if search != "" {
		// Every key starting with search sorts between search itself and
		// search followed by the highest code point.
		f = append(f, bson.E{Key: "usernameKey", Value: bson.D{{Key: "$gte", Value: search}, {Key: "$lt", Value: search + "\U0010FFFF"}}})
	}
	return f
}
