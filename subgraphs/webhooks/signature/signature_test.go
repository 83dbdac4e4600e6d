package signature_test

import (
	"errors"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/shopsupergraph/shop/subgraphs/webhooks/signature"
)

// TestInteroperable: the published example of the Standard Webhooks
// specification verifies, so receivers' libraries verify our signatures.
func TestInteroperable(t *testing.T) {
	t.Parallel()
	const (
		secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
		id     = "msg_p5jXN8AQM9LWM0D4loKWxJek"
		body   = `{"test": 2432232314}`
		want   = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
	)
	ts := time.Unix(1614265330, 0)
	got, err := signature.Sign(secret, id, ts, []byte(body))
	if err != nil || got != want {
		t.Fatalf("Sign = %q, %v; want %q", got, err, want)
	}
	h := http.Header{}
	h.Set(signature.HeaderID, id)
	h.Set(signature.HeaderTimestamp, "1614265330")
	h.Set(signature.HeaderSignature, "v1,bm9wZQ== "+want)
	if err := signature.Verify(secret, h, []byte(body), ts.Add(time.Minute)); err != nil {
		t.Fatalf("Verify: %v", err)
	}
}

func TestVerifyRefuses(t *testing.T) {
	t.Parallel()
	secret, err := signature.NewSecret()
	if err != nil {
		t.Fatal(err)
	}
	other, err := signature.NewSecret()
	if err != nil {
		t.Fatal(err)
	}
	now := time.Unix(1_800_000_000, 0)
	body := []byte(`{"id":"m1","type":"ORDER_CREATED"}`)
	signed := func(ts time.Time) http.Header {
		h := http.Header{}
		if err := signature.Headers(h, secret, "m1", ts, body); err != nil {
			t.Fatal(err)
		}
		return h
	}
	if err := signature.Verify(secret, signed(now), body, now); err != nil {
		t.Fatalf("fresh delivery: %v", err)
	}
	forged := signed(now)
	forged.Set(signature.HeaderTimestamp, strconv.FormatInt(now.Unix()+1, 10))
	for _, tc := range []struct {
		name   string
		secret string
		h      http.Header
		body   []byte
		want   error
	}{
		{"replayed after 6 minutes", secret, signed(now.Add(-6 * time.Minute)), body, signature.ErrTimestamp},
		{"from the future", secret, signed(now.Add(6 * time.Minute)), body, signature.ErrTimestamp},
		{"body changed", secret, signed(now), []byte(`{"id":"m1","type":"ORDER_CANCELLED"}`), signature.ErrNoMatch},
		{"timestamp changed", secret, forged, body, signature.ErrNoMatch},
		{"other secret", other, signed(now), body, signature.ErrNoMatch},
		{"no headers", secret, http.Header{}, body, signature.ErrMissingHeaders},
	} {
		err := signature.Verify(tc.secret, tc.h, tc.body, now)
		if !errors.Is(err, tc.want) || !errors.Is(err, signature.ErrInvalid) {
			t.Errorf("%s: Verify = %v, want %v", tc.name, err, tc.want)
		}
	}
}
