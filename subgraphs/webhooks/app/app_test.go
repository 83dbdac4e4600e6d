package app_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/shopsupergraph/shop/platform/auth"
	"github.com/shopsupergraph/shop/platform/config"
	"github.com/shopsupergraph/shop/platform/testenv"
	"github.com/shopsupergraph/shop/subgraphs/webhooks/app"
)

const secret = "webhooks-app-test-secret-0123456789abcdef"

// start runs the service on a free port against the test infrastructure
// (embedded, or the real servers of `make test-real`) and returns its
// GraphQL URL.
func start(t *testing.T) string {
	t.Helper()
	env := testenv.Get(t)
	cfg, err := app.LoadConfig(config.FromMap(map[string]string{
		"API_SECRET": secret, "MONGO_URI": env.MongoURI, "MONGO_DB": testenv.Name("webhooksapp"),
	}))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	a, err := app.New(ctx, cfg, slog.New(slog.DiscardHandler))
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- a.Serve(ctx, ln) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
		if err := a.Close(); err != nil {
			t.Errorf("close: %v", err)
		}
	})
	return "http://" + ln.Addr().String() + "/graphql"
}

type response struct {
	Data   json.RawMessage `json:"data"`
	Errors []struct {
		Message    string         `json:"message"`
		Extensions map[string]any `json:"extensions"`
	} `json:"errors"`
}

func post(t *testing.T, url, token, query string, vars map[string]any) response {
	t.Helper()
	body, err := json.Marshal(map[string]any{"query": query, "variables": vars})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out response
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		t.Fatalf("decode (HTTP %d): %v", resp.StatusCode, err)
	}
	return out
}

func code(r response) string {
	if len(r.Errors) == 0 {
		return ""
	}
	c, _ := r.Errors[0].Extensions["code"].(string)
	return c
}

// TestCreateAndList: a signed-in user's webhook is stored and listed, by
// the query and by the router's entity lookup of Product; anonymous
// callers and bad input are refused with their codes.
func TestCreateAndList(t *testing.T) {
	url := start(t)
	token, err := auth.NewTokens(secret, time.Hour).Issue("user-1")
	if err != nil {
		t.Fatal(err)
	}
	const create = `mutation($in: CreateWebhookInput!) { createWebhook(input: $in) { _id productId userId rating body } }`
	in := map[string]any{"in": map[string]any{"productId": "p1", "rating": 4, "body": "solid"}}
	if c := code(post(t, url, "", create, in)); c != "UNAUTHENTICATED" {
		t.Fatalf("anonymous createWebhook: code %q, want UNAUTHENTICATED", c)
	}
	bad := map[string]any{"in": map[string]any{"productId": "p1", "rating": 9, "body": "solid"}}
	if c := code(post(t, url, token, create, bad)); c != "BAD_USER_INPUT" {
		t.Fatalf("createWebhook rating 9: code %q, want BAD_USER_INPUT", c)
	}
	r := post(t, url, token, create, in)
	if len(r.Errors) > 0 {
		t.Fatalf("createWebhook: %+v", r.Errors)
	}
	var created struct {
		Create struct {
			ID     string `json:"_id"`
			UserID string `json:"userId"`
		} `json:"createWebhook"`
	}
	if err := json.Unmarshal(r.Data, &created); err != nil || created.Create.ID == "" || created.Create.UserID != "user-1" {
		t.Fatalf("createWebhook = %s (%v)", r.Data, err)
	}
	list := post(t, url, "", `{webhooks(productId: "p1") { _id } }`, nil)
	if want := `{"webhooks":[{"_id":"` + created.Create.ID + `"}]}`; len(list.Errors) > 0 || string(list.Data) != want {
		t.Fatalf("webhooks = %s %+v, want %s", list.Data, list.Errors, want)
	}
	entities := post(t, url, "", `query($r: [_Any!]!) { _entities(representations: $r) { ... on Product { _id webhooks { _id } } } }`,
		map[string]any{"r": []map[string]any{{"__typename": "Product", "_id": "p1"}, {"__typename": "Product", "_id": "p2"}}})
	if want := `{"_entities":[{"_id":"p1","webhooks":[{"_id":"` + created.Create.ID + `"}]},{"_id":"p2","webhooks":[]}]}`; len(entities.Errors) > 0 || string(entities.Data) != want {
		t.Fatalf("_entities = %s %+v, want %s", entities.Data, entities.Errors, want)
	}
}
