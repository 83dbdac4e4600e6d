package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"testing"
	"time"

	"github.com/shopsupergraph/shop/e2e/harness"
)

// orderWithDeferredProducts is the shop's documented @defer query (see
// router/README.md): the order comes from the orders subgraph at once, its
// products' names and prices from the products subgraph in a later part.
const orderWithDeferredProducts = `query OrderDeferred($id: ID!) {
  order(id: $id) {
    _id
    status
    total
    ... @defer(label: "products") { products { quantity product { name price } } }
  }
}`

// TestDeferredOrder places an order through the router and reads it back
// with the deferred query over multipart/mixed (deferSpec=20220824).
func TestDeferredOrder(t *testing.T) {
	sys := harness.Start(t, bins, harness.Options{})
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	s := newShop(t, sys, 0)
	buyer := s.register(ctx, "deferbuyer")
	p := s.createProduct(ctx, "defer-lamp-"+randHex(3), 2500, 5)
	var placed struct{ PlaceOrder order }
	r := s.placeOrder(ctx, buyer, p.ID, 2)
	if r.Status != http.StatusOK || len(r.Errors) > 0 {
		t.Fatalf("place order: %d %s", r.Status, r.Body)
	}
	if err := r.Decode(&placed); err != nil {
		t.Fatal(err)
	}

	body, err := json.Marshal(map[string]any{"query": orderWithDeferredProducts, "variables": map[string]any{"id": placed.PlaceOrder.ID}})
	if err != nil {
		t.Fatal(err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, sys.Router(), bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "multipart/mixed;deferSpec=20220824, application/json")
	req.Header.Set("Authorization", "Bearer "+buyer.Token)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	mt, params, err := mime.ParseMediaType(res.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/mixed" || params["deferspec"] != "20220824" || params["boundary"] != "graphql" {
		raw, _ := io.ReadAll(res.Body)
		t.Fatalf("HTTP %d, Content-Type %q: %s", res.StatusCode, res.Header.Get("Content-Type"), raw)
	}
	type part struct {
		Data        json.RawMessage `json:"data"`
		Errors      json.RawMessage `json:"errors"`
		HasNext     bool            `json:"hasNext"`
		Incremental []struct {
			Data   json.RawMessage `json:"data"`
			Path   []any           `json:"path"`
			Label  string          `json:"label"`
			Errors json.RawMessage `json:"errors"`
		} `json:"incremental"`
	}
	var parts []part
	mr := multipart.NewReader(res.Body, params["boundary"])
	for {
		p, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("part %d: %v", len(parts), err)
		}
		var v part
		if err := json.NewDecoder(p).Decode(&v); err != nil {
			t.Fatalf("part %d: %v", len(parts), err)
		}
		parts = append(parts, v)
	}
	if len(parts) != 2 {
		t.Fatalf("%d parts, want 2: %+v", len(parts), parts)
	}
	var first struct {
		Order struct {
			ID       string `json:"_id"`
			Status   string `json:"status"`
			Total    int    `json:"total"`
			Products []any  `json:"products"`
		} `json:"order"`
	}
	if err := json.Unmarshal(parts[0].Data, &first); err != nil || !parts[0].HasNext || len(parts[0].Errors) > 0 {
		t.Fatalf("first part: %+v (%v)", parts[0], err)
	}
	if first.Order.ID != placed.PlaceOrder.ID || first.Order.Total != 5000 || first.Order.Products != nil {
		t.Fatalf("first part: %s", parts[0].Data)
	}
	last := parts[1]
	if last.HasNext || len(last.Incremental) != 1 || len(last.Errors) > 0 {
		t.Fatalf("second part: %+v", last)
	}
	item := last.Incremental[0]
	if item.Label != "products" || len(item.Path) != 1 || item.Path[0] != "order" || len(item.Errors) > 0 {
		t.Fatalf("incremental item: %+v", item)
	}
	var deferred struct {
		Products []struct {
			Quantity int `json:"quantity"`
			Product  struct {
				Name  string `json:"name"`
				Price int    `json:"price"`
			} `json:"product"`
		} `json:"products"`
	}
	if err := json.Unmarshal(item.Data, &deferred); err != nil {
		t.Fatal(err)
	}
	if len(deferred.Products) != 1 || deferred.Products[0].Quantity != 2 || deferred.Products[0].Product.Name != p.Name || deferred.Products[0].Product.Price != 2500 {
		t.Fatalf("deferred products: %s", item.Data)
	}
}
