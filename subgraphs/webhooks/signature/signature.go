// Package signature signs and verifies webhook deliveries the way the
// Standard Webhooks specification describes, so receivers can use this
// package or any library that implements that specification.
//
// A delivery carries three headers: Webhook-Id (the message id, the same
// on every retry), Webhook-Timestamp (Unix seconds of this attempt) and
// Webhook-Signature ("v1," followed by the base64 HMAC-SHA256 of
// "<id>.<timestamp>.<body>" under the endpoint's secret). Secrets are
// "whsec_" followed by the base64 of the key bytes. Several signatures may
// be sent separated by spaces (during a secret rotation); one match is
// enough.
package signature

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Header names of a signed delivery.
const (
	HeaderID        = "Webhook-Id"
	HeaderTimestamp = "Webhook-Timestamp"
	HeaderSignature = "Webhook-Signature"
)

// SecretPrefix starts every signing secret.
const SecretPrefix = "whsec_"

// Tolerance is how far a delivery's timestamp may be from the receiver's
// clock, either way, before Verify refuses it as a replay.
const Tolerance = 5 * time.Minute

// Errors of Verify; each wraps ErrInvalid.
var (
	ErrInvalid        = errors.New("invalid webhook signature")
	ErrMissingHeaders = fmt.Errorf("%w: missing webhook headers", ErrInvalid)
	ErrTimestamp      = fmt.Errorf("%w: timestamp outside the tolerance", ErrInvalid)
	ErrNoMatch        = fmt.Errorf("%w: no signature matches", ErrInvalid)
	ErrSecret         = errors.New("invalid webhook secret")
)

// NewSecret returns a fresh random secret of 32 bytes, "whsec_<base64>".
func NewSecret() (string, error) {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("new webhook secret: %w", err)
	}
	return SecretPrefix + base64.StdEncoding.EncodeToString(b[:]), nil
}

// key decodes a secret; the prefix is optional, as in the specification.
func key(secret string) ([]byte, error) {
	k, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(secret, SecretPrefix))
	if err != nil || len(k) == 0 {
		return nil, ErrSecret
	}
	return k, nil
}

// Sign returns the Webhook-Signature value ("v1,<base64>") of body sent
// as message id at time ts.
func Sign(secret, id string, ts time.Time, body []byte) (string, error) {
	k, err := key(secret)
	if err != nil {
		return "", err
	}
	return "v1," + base64.StdEncoding.EncodeToString(mac(k, id, ts.Unix(), body)), nil
}

func mac(k []byte, id string, ts int64, body []byte) []byte {
	h := hmac.New(sha256.New, k)
	h.Write([]byte(id))
	h.Write([]byte{'.'})
	h.Write([]byte(strconv.FormatInt(ts, 10)))
	h.Write([]byte{'.'})
	h.Write(body)
	return h.Sum(nil)
}

// Headers sets the three webhook headers on h for body sent as message id
// at time ts.
func Headers(h http.Header, secret, id string, ts time.Time, body []byte) error {
	sig, err := Sign(secret, id, ts, body)
	if err != nil {
		return err
	}
	h.Set(HeaderID, id)
	h.Set(HeaderTimestamp, strconv.FormatInt(ts.Unix(), 10))
	h.Set(HeaderSignature, sig)
	return nil
}

// Verify checks that body with headers h was signed with secret and sent
// within Tolerance of now. Receivers call it with the raw request body
// before decoding it, and reject the request when it returns an error;
// they should also remember Webhook-Id for a while to ignore the
// (legitimate) redelivery of a message already handled.
func Verify(secret string, h http.Header, body []byte, now time.Time) error {
	id, tsRaw, sigs := h.Get(HeaderID), h.Get(HeaderTimestamp), h.Get(HeaderSignature)
	if id == "" || tsRaw == "" || sigs == "" {
		return ErrMissingHeaders
	}
	ts, err := strconv.ParseInt(tsRaw, 10, 64)
	if err != nil {
		return fmt.Errorf("%w: timestamp %q is not a number", ErrInvalid, tsRaw)
	}
	sent := time.Unix(ts, 0)
	if sent.Before(now.Add(-Tolerance)) || sent.After(now.Add(Tolerance)) {
		return ErrTimestamp
	}
	k, err := key(secret)
	if err != nil {
		return err
	}
	want := mac(k, id, ts, body)
	for _, s := range strings.Fields(sigs) {
		version, b64, ok := strings.Cut(s, ",")
		if !ok || version != "v1" {
			continue
		}
		got, err := base64.StdEncoding.DecodeString(b64)
		if err == nil && hmac.Equal(got, want) {
			return nil
		}
	}
	return ErrNoMatch
}
