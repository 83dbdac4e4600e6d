package graph_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/bson/primitive"
	"go.mongodb.org/mongo-driver/event"
	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"

	"github.com/shopsupergraph/shop/platform/auth"
	"github.com/shopsupergraph/shop/platform/gqlguard"
	"github.com/shopsupergraph/shop/platform/testenv"
	"github.com/shopsupergraph/shop/subgraphs/users/graph"
	"github.com/shopsupergraph/shop/subgraphs/users/internal/accounts"
	"github.com/shopsupergraph/shop/subgraphs/users/internal/accounts/mongostore"
)

// finds counts the find commands a client sends to one database.
type finds struct {
	db string
	mu sync.Mutex
	n  int
}

func (f *finds) started(_ context.Context, e *event.CommandStartedEvent) {
	if e.CommandName == "find" && e.DatabaseName == f.db {
		f.mu.Lock()
		f.n++
		f.mu.Unlock()
	}
}

func (f *finds) reset() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := f.n
	f.n = 0
	return n
}

// TestEntitiesOneQuery resolves many User representations (existing,
// repeated, unknown and malformed ids) in one _entities call and counts the
// MongoDB find commands it costs: exactly one, whatever the batch size.
func TestEntitiesOneQuery(t *testing.T) {
	t.Parallel()
	env := testenv.Get(t)
	ctx := context.Background()
	counter := &finds{db: testenv.Name("users")}
	client, err := mongo.Connect(ctx, options.Client().ApplyURI(env.MongoURI).
		SetTimeout(15*time.Second).
		SetMonitor(&event.CommandMonitor{Started: counter.started}))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := client.Disconnect(ctx); err != nil {
			t.Log(err)
		}
	})
	store, err := mongostore.New(ctx, client.Database(counter.db), "test.shop.users")
	if err != nil {
		t.Fatal(err)
	}
	tokens := auth.NewTokens("entities-test-secret-0123456789abcdef", time.Hour)
	svc, err := accounts.NewService(store, tokens, accounts.Options{BcryptCost: 4})
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, name := range []string{"ent1", "ent2", "ent3", "ent4", "ent5"} {
		s, err := svc.Register(ctx, accounts.RegisterInput{Username: name, Password: "password"})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, s.User.ID)
	}
	authn := &auth.Authenticator{Tokens: tokens, AdminKey: "admin-key-0123456789"}
	srv := httptest.NewServer(authn.Middleware(graph.NewHandler(svc, slog.New(slog.DiscardHandler), gqlguard.DefaultLimits())))
	t.Cleanup(srv.Close)

	unknown := primitive.NewObjectID().Hex()
	reqIDs := []string{ids[4], ids[0], unknown, ids[2], "malformed", ids[0], ids[1], ids[3]}
	reps := make([]map[string]any, len(reqIDs))
	for i, id := range reqIDs {
		reps[i] = map[string]any{"__typename": "User", "_id": id}
	}
	body, _ := json.Marshal(map[string]any{
		"query":     `query($r: [_Any!]!) { _entities(representations: $r) { ... on User { _id username email createdAt } } }`,
		"variables": map[string]any{"r": reps},
	})
	counter.reset()
	resp, err := http.Post(srv.URL, "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if n := counter.reset(); n != 1 {
		t.Fatalf("_entities with %d representations sent %d find commands, want 1", len(reps), n)
	}
	var out struct {
		Data struct {
			Entities []*struct {
				ID       string `json:"_id"`
				Username string `json:"username"`
			} `json:"_entities"`
		} `json:"data"`
		Errors []any `json:"errors"`
	}
	if err := json.Unmarshal(raw, &out); err != nil || len(out.Errors) > 0 {
		t.Fatalf("response %s (%v)", raw, err)
	}
	want := []string{"ent5", "ent1", "", "ent3", "", "ent1", "ent2", "ent4"}
	if len(out.Data.Entities) != len(want) {
		t.Fatalf("got %d entities, want %d: %s", len(out.Data.Entities), len(want), raw)
	}
	for i, e := range out.Data.Entities {
		switch {
		case want[i] == "" && e != nil:
			t.Errorf("entity %d = %+v, want null", i, e)
		case want[i] != "" && (e == nil || e.Username != want[i] || e.ID != reqIDs[i]):
			t.Errorf("entity %d = %+v, want %s", i, e, want[i])
		}
	}
}
