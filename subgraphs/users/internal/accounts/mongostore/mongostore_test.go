package mongostore

import (
	"context"
	"errors"
	"sort"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/bson"

	"github.com/shopsupergraph/shop/platform/events"
	"github.com/shopsupergraph/shop/platform/mongox"
	"github.com/shopsupergraph/shop/platform/outbox"
	"github.com/shopsupergraph/shop/platform/testenv"
	"github.com/shopsupergraph/shop/subgraphs/users/internal/accounts"
)

func newStore(t *testing.T) *Store {
	t.Helper()
	env := testenv.Get(t)
	ctx := context.Background()
	client, db, err := mongox.Connect(ctx, env.MongoURI, testenv.Name("users"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := client.Disconnect(ctx); err != nil {
			t.Log(err)
		}
	})
	s, err := New(ctx, db, "p.shop.users")
	if err != nil {
		t.Fatal(err)
	}
	// A restart runs New again on existing indexes: it must be a no-op.
	if _, err := New(ctx, db, "p.shop.users"); err != nil {
		t.Fatalf("second New: %v", err)
	}
	return s
}

func create(t *testing.T, s *Store, name string) accounts.User {
	t.Helper()
	u := accounts.User{ID: s.NewID(), Username: name, Email: name + "@example.com", PasswordHash: []byte("$2a$04$hash"), CreatedAt: time.Now().UTC().Truncate(time.Millisecond)}
	ev, err := events.New(events.UserRegistered, u.CreatedAt, events.UserRegisteredData{UserID: u.ID, Username: name})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Create(context.Background(), u, accounts.NormalizeUsername(name), ev); err != nil {
		t.Fatal(err)
	}
	return u
}

func TestStoreRoundTrip(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	ctx := context.Background()
	u := create(t, s, "Jo")
	got, err := s.ByID(ctx, u.ID)
	if err != nil || got.ID != u.ID || got.Username != "Jo" || got.Email != u.Email || string(got.PasswordHash) != string(u.PasswordHash) || !got.CreatedAt.Equal(u.CreatedAt) {
		t.Fatalf("ByID = %+v, %v; want %+v", got, err, u)
	}
	if got, err := s.ByUsernameKey(ctx, "jo"); err != nil || got.ID != u.ID {
		t.Fatalf("ByUsernameKey = %+v, %v", got, err)
	}
	if _, err := s.ByUsernameKey(ctx, "Jo"); !errors.Is(err, accounts.ErrNotFound) {
		t.Fatalf("lookup by a non-normalized key err = %v, want ErrNotFound", err)
	}
	if _, err := s.ByID(ctx, s.NewID()); !errors.Is(err, accounts.ErrNotFound) {
		t.Fatalf("unknown id err = %v", err)
	}
	if _, err := s.ByID(ctx, "zz"); !errors.Is(err, accounts.ErrInvalidID) {
		t.Fatalf("malformed id err = %v", err)
	}
	var doc struct {
		Outbox struct {
			Topic   string `bson:"topic"`
			Key     string `bson:"key"`
			Type    string `bson:"type"`
			EventID string `bson:"eventId"`
		} `bson:"outbox"`
	}
	if err := s.coll.FindOne(ctx, bson.D{{Key: "usernameKey", Value: "jo"}}).Decode(&doc); err != nil {
		t.Fatal(err)
	}
	if doc.Outbox.Topic != "p.shop.users" || doc.Outbox.Key != u.ID || doc.Outbox.Type != events.UserRegistered {
		t.Fatalf("outbox = %+v", doc.Outbox)
	}
	// The same event waits in the outbox collection for the relay.
	if n, err := s.coll.Database().Collection(outbox.Collection).CountDocuments(ctx, bson.D{{Key: "_id", Value: doc.Outbox.EventID}}); err != nil || n != 1 {
		t.Fatalf("outbox entries for %s = %d, %v; want 1", doc.Outbox.EventID, n, err)
	}
}

func TestStoreDuplicateKey(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	create(t, s, "Kim")
	u := accounts.User{ID: s.NewID(), Username: "KIM", CreatedAt: time.Now()}
	err := s.Create(context.Background(), u, "kim", events.Envelope{ID: "e", Type: events.UserRegistered})
	if !errors.Is(err, accounts.ErrUsernameTaken) {
		t.Fatalf("err = %v, want ErrUsernameTaken", err)
	}
	// The refused registration leaves no event behind.
	if n, err := s.coll.Database().Collection(outbox.Collection).CountDocuments(context.Background(), bson.D{{Key: "_id", Value: "e"}}); err != nil || n != 0 {
		t.Fatalf("outbox entries of the refused registration = %d, %v; want 0", n, err)
	}
}

func TestStoreByIDsAndList(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	ctx := context.Background()
	a, b, c := create(t, s, "lee"), create(t, s, "max"), create(t, s, "ned")
	got, err := s.ByIDs(ctx, []string{c.ID, "bad", a.ID, c.ID, s.NewID()})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, u := range got {
		names = append(names, u.Username)
	}
	sort.Strings(names)
	if len(names) != 2 || names[0] != "lee" || names[1] != "ned" {
		t.Fatalf("ByIDs = %v", names)
	}
	if got, err := s.ByIDs(ctx, []string{"bad"}); err != nil || len(got) != 0 {
		t.Fatalf("ByIDs(malformed only) = %v, %v", got, err)
	}
	page, err := s.List(ctx, 1, 2)
	if err != nil || len(page) != 2 || page[0].ID != b.ID || page[1].ID != c.ID {
		t.Fatalf("List(1, 2) = %+v, %v", page, err)
	}
}
