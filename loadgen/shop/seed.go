// Package shop knows the shop's public API well enough to load it: seeding
// users and products through the router, the scenarios' operations, and
// the stock audit that proves no order sold more than there was.
package shop

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/http"
	"sync"

	"golang.org/x/sync/errgroup"

	"github.com/shopsupergraph/shop/loadgen/gql"
)

// Fixture is what a run seeded: users with their tokens and products with
// their initial stock.
type Fixture struct {
	AdminKey string
	Users    []User
	Products []Product
}

// User is a seeded shopper.
type User struct {
	ID    string
	Token string
}

// Product is a seeded product and the stock it started with.
type Product struct {
	ID    string
	Stock int
}

// SeedOptions size the fixture.
type SeedOptions struct {
	Users, Products int
	// Stock is every product's initial quantity.
	Stock int
	// Parallel requests while seeding.
	Parallel int
}

const (
	registerMutation = `mutation Register($in: RegisterUserInput) { registerUser(input: $in) { access_token user { _id } } }`
	createMutation   = `mutation Create($in: CreateProductInput) { createProduct(input: $in) { _id quantity } }`
	// seedPassword is long enough for the users subgraph's rules; the
	// accounts are throwaway.
	seedPassword = "loadgen-password"
)

// Seed registers the users and creates the products through the router.
// Names carry a random run id so repeated runs against one stack do not
// collide.
func Seed(ctx context.Context, c *gql.Client, adminKey string, o SeedOptions) (*Fixture, error) {
	var raw [4]byte
	if _, err := rand.Read(raw[:]); err != nil {
		return nil, fmt.Errorf("seed: run id: %w", err)
	}
	run := hex.EncodeToString(raw[:])
	if o.Parallel < 1 {
		o.Parallel = 8
	}
	f := &Fixture{AdminKey: adminKey, Users: make([]User, o.Users), Products: make([]Product, o.Products)}
	admin := http.Header{"X-Api-Key": {adminKey}}
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(o.Parallel)
	var mu sync.Mutex
	for i := range o.Users {
		g.Go(func() error {
			var out struct {
				RegisterUser struct {
					AccessToken string `json:"access_token"`
					User        struct {
						ID string `json:"_id"`
					} `json:"user"`
				} `json:"registerUser"`
			}
			in := map[string]any{"username": fmt.Sprintf("lg%s_%d", run, i), "password": seedPassword}
			if err := c.Call(gctx, registerMutation, map[string]any{"in": in}, nil, &out); err != nil {
				return fmt.Errorf("seed: register user %d: %w", i, err)
			}
			mu.Lock()
			f.Users[i] = User{ID: out.RegisterUser.User.ID, Token: out.RegisterUser.AccessToken}
			mu.Unlock()
			return nil
		})
	}
	for i := range o.Products {
		g.Go(func() error {
			var out struct {
				CreateProduct struct {
					ID       string `json:"_id"`
					Quantity int    `json:"quantity"`
				} `json:"createProduct"`
			}
			in := map[string]any{"name": fmt.Sprintf("lg-%s-%d", run, i), "price": 100 + i%900, "quantity": o.Stock}
			if err := c.Call(gctx, createMutation, map[string]any{"in": in}, admin, &out); err != nil {
				return fmt.Errorf("seed: create product %d: %w", i, err)
			}
			mu.Lock()
			f.Products[i] = Product{ID: out.CreateProduct.ID, Stock: out.CreateProduct.Quantity}
			mu.Unlock()
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	return f, nil
}
