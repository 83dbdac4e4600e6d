package webhooks_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/shopsupergraph/shop/subgraphs/webhooks/internal/webhooks"
)

// TestCreateRefuses: every refusal happens before the store is reached
// (the service has none here); what is stored is tested in mongostore
// and app against a real server.
func TestCreateRefuses(t *testing.T) {
	t.Parallel()
	ok := webhooks.NewWebhook{ProductID: "p1", Rating: 5, Body: "great"}
	tests := []struct {
		name   string
		user   string
		in     webhooks.NewWebhook
		want   error
		reason string
	}{
		{name: "anonymous", in: ok, want: webhooks.ErrUnauthenticated, reason: "sign in"},
		{name: "no product", user: "u1", in: webhooks.NewWebhook{Rating: 5, Body: "great"}, want: webhooks.ErrInvalid, reason: "productId"},
		{name: "rating low", user: "u1", in: webhooks.NewWebhook{ProductID: "p1", Rating: 0, Body: "bad"}, want: webhooks.ErrInvalid, reason: "rating"},
		{name: "rating high", user: "u1", in: webhooks.NewWebhook{ProductID: "p1", Rating: 6, Body: "bad"}, want: webhooks.ErrInvalid, reason: "rating"},
		{name: "empty body", user: "u1", in: webhooks.NewWebhook{ProductID: "p1", Rating: 3, Body: "  "}, want: webhooks.ErrInvalid, reason: "body"},
		{name: "long body", user: "u1", in: webhooks.NewWebhook{ProductID: "p1", Rating: 3, Body: strings.Repeat("x", webhooks.MaxBody+1)}, want: webhooks.ErrInvalid, reason: "body"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := webhooks.NewService(nil).Create(context.Background(), tt.user, tt.in)
			if !errors.Is(err, tt.want) || !strings.Contains(err.Error(), tt.reason) {
				t.Fatalf("Create: err = %v, want %v naming %q", err, tt.want, tt.reason)
			}
		})
	}
}

func TestByProductsBounded(t *testing.T) {
	t.Parallel()
	ids := make([]string, webhooks.MaxProducts+1)
	if _, err := webhooks.NewService(nil).ByProducts(context.Background(), ids); !errors.Is(err, webhooks.ErrInvalid) {
		t.Fatalf("ByProducts(%d ids): err = %v, want ErrInvalid", len(ids), err)
	}
}
