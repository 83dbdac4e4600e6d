// Package authn verifies the bearer tokens clients send to the router
// against published JWK sets (users' /.well-known/jwks.json), so forged,
// expired or unknown-key tokens are refused at the edge and never reach a
// subgraph. Verified tokens are still forwarded as they are: the subgraphs
// verify them again.
package authn

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// Defaults of Config.
const (
	DefaultRefresh       = 5 * time.Minute
	DefaultMinRefreshGap = 30 * time.Second
	DefaultRetryInterval = time.Second
	DefaultFetchTimeout  = 5 * time.Second
	// DefaultLeeway absorbs clock skew between users and the router in
	// exp, nbf and iat.
	DefaultLeeway = 30 * time.Second
)

// KeySet is a published JWK set tokens are verified against.
type KeySet struct {
	URL string
	// RefreshInterval is how often the set is fetched again (default
	// DefaultRefresh).
	RefreshInterval time.Duration
	// Algorithms are the token algorithms accepted with this set's keys:
	// AlgEdDSA, AlgRS256 or both (the default).
	Algorithms []string
}

// Config configures an Authenticator; zero values take the defaults.
type Config struct {
	// Sets are the key sets; at least one.
	Sets []KeySet
	// HeaderName carries the token (default Authorization).
	HeaderName string
	// HeaderPrefix is the scheme before the token, matched
	// case-insensitively; "" means the whole value is the token. New
	// does not default it, so set "Bearer" explicitly.
	HeaderPrefix string
	// Require refuses requests without a token.
	Require bool
	// Leeway is the clock skew allowed in exp, nbf and iat.
	Leeway time.Duration
	// MinRefreshGap is the least time between two fetches caused by
	// unknown key ids.
	MinRefreshGap time.Duration
	// RetryInterval is the first pause after a failed fetch; it doubles
	// with each further failure up to 30 seconds.
	RetryInterval time.Duration
	// FetchTimeout bounds one fetch.
	FetchTimeout time.Duration
	// Client fetches the sets (default: a client without its own timeout;
	// FetchTimeout bounds each fetch).
	Client *http.Client
	// Logger receives fetch failures and refused tokens (Debug).
	Logger *slog.Logger
}

// Authenticator verifies the tokens of requests.
type Authenticator struct {
	cfg     Config
	sets    []*keySet
	parser  *jwt.Parser
	header  string
	require bool
}

// New returns an authenticator and starts fetching its key sets in the
// background until ctx ends. It does not wait for them: a router whose
// users service is still starting serves anonymous requests at once, and
// requests with tokens wait for the first fetch (see Authenticate).
func New(ctx context.Context, cfg Config) (*Authenticator, error) {
	if len(cfg.Sets) == 0 {
		return nil, errors.New("authentication: no JWKS configured")
	}
	var algs []string
	for _, s := range cfg.Sets {
		if s.URL == "" {
			return nil, errors.New("authentication: JWKS without URL")
		}
		set := s.Algorithms
		if len(set) == 0 {
			set = []string{AlgEdDSA, AlgRS256}
		}
		for _, a := range set {
			if a != AlgEdDSA && a != AlgRS256 {
				return nil, fmt.Errorf("authentication: algorithm %q: only %s and %s are verified with a key set", a, AlgEdDSA, AlgRS256)
			}
			if !slices.Contains(algs, a) {
				algs = append(algs, a)
			}
		}
	}
	if cfg.HeaderName == "" {
		cfg.HeaderName = "Authorization"
	}
	if cfg.Leeway <= 0 {
		cfg.Leeway = DefaultLeeway
	}
	if cfg.MinRefreshGap <= 0 {
		cfg.MinRefreshGap = DefaultMinRefreshGap
	}
	if cfg.RetryInterval <= 0 {
		cfg.RetryInterval = DefaultRetryInterval
	}
	if cfg.FetchTimeout <= 0 {
		cfg.FetchTimeout = DefaultFetchTimeout
	}
	if cfg.Client == nil {
		cfg.Client = &http.Client{}
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	a := &Authenticator{
		cfg:     cfg,
		header:  http.CanonicalHeaderKey(cfg.HeaderName),
		require: cfg.Require,
		// Only the configured asymmetric algorithms pass, whatever the
		// token's header says: never "none", never HS256 (a public key
		// must not serve as an HMAC secret). exp is required, as the
		// subgraphs require it.
		parser: jwt.NewParser(
			jwt.WithValidMethods(algs),
			jwt.WithLeeway(cfg.Leeway),
			jwt.WithIssuedAt(),
			jwt.WithExpirationRequired(),
		),
	}
	for _, s := range cfg.Sets {
		a.sets = append(a.sets, newKeySet(ctx, s, &a.cfg))
	}
	for _, s := range a.sets {
		go s.run(ctx)
	}
	return a, nil
}

// Authenticate checks the token in header and returns its verified claims,
// or nil claims for a request without a token that may pass anonymously.
// A failure is an *Error. A request with a token waits for the first
// fetch of the key sets; if none was ever fetched it is refused with
// CodeUnavailable (503), not as unauthenticated, since its token may well
// be valid.
func (a *Authenticator) Authenticate(ctx context.Context, header http.Header) (Claims, error) {
	vals := header.Values(a.header)
	if len(vals) == 1 && strings.TrimSpace(vals[0]) == "" {
		vals = nil
	}
	switch {
	case len(vals) == 0 && a.require:
		return nil, unauthenticated("authentication required: send " + a.cfg.HeaderName + ": " + a.prefixHint() + "<token>")
	case len(vals) == 0:
		return nil, nil
	case len(vals) > 1:
		return nil, unauthenticated("more than one " + a.cfg.HeaderName + " header")
	}
	tok, ok := a.token(vals[0])
	if !ok {
		return nil, unauthenticated("the " + a.cfg.HeaderName + " header must be \"" + a.prefixHint() + "<token>\"")
	}
	claims := jwt.MapClaims{}
	_, err := a.parser.ParseWithClaims(tok, claims, func(t *jwt.Token) (any, error) {
		kid, _ := t.Header["kid"].(string)
		if kid == "" {
			return nil, errNoKid
		}
		k, err := a.key(ctx, kid)
		if err != nil {
			return nil, err
		}
		if k.alg != t.Method.Alg() {
			return nil, fmt.Errorf("%w: key %q verifies %s, not %s", errAlgMismatch, kid, k.alg, t.Method.Alg())
		}
		return k.public, nil
	})
	if err != nil {
		e := refusal(err)
		a.cfg.Logger.Debug("token refused", "code", e.Code, "err", err)
		return nil, e
	}
	return Claims(claims), nil
}

func (a *Authenticator) prefixHint() string {
	if a.cfg.HeaderPrefix == "" {
		return ""
	}
	return a.cfg.HeaderPrefix + " "
}

// token cuts the configured prefix off a header value.
func (a *Authenticator) token(v string) (string, bool) {
	v = strings.TrimSpace(v)
	if p := a.cfg.HeaderPrefix; p != "" {
		scheme, rest, ok := strings.Cut(v, " ")
		if !ok || !strings.EqualFold(scheme, p) {
			return "", false
		}
		v = strings.TrimSpace(rest)
	}
	return v, v != "" && !strings.ContainsAny(v, " \t")
}

// Reasons a key is not found, told apart for the client's message.
var (
	errNoKid       = errors.New("token names no key (kid)")
	errUnknownKey  = errors.New("token signed by an unknown key")
	errAlgMismatch = errors.New("token algorithm does not fit its key")
	errUnavailable = errors.New("the keys that verify tokens have not been fetched yet")
)

// key returns the key with id kid from the first set holding it. It waits
// for each set's first fetch; an id none holds fetches the sets again
// (rate-limited per set) before it is called unknown.
func (a *Authenticator) key(ctx context.Context, kid string) (key, error) {
	for _, s := range a.sets {
		select {
		case <-s.first:
		case <-ctx.Done():
			return key{}, fmt.Errorf("%w: %w", errUnavailable, ctx.Err())
		}
	}
	if k, ok := a.lookup(kid); ok {
		return k, nil
	}
	var wg sync.WaitGroup
	for _, s := range a.sets {
		wg.Go(func() { _ = s.fetchShared(ctx, true) }) //nolint:errcheck // fetch failures are logged; the lookup below decides
	}
	wg.Wait()
	if k, ok := a.lookup(kid); ok {
		return k, nil
	}
	for _, s := range a.sets {
		if s.usable() {
			return key{}, fmt.Errorf("%w %q", errUnknownKey, kid)
		}
	}
	return key{}, errUnavailable
}

func (a *Authenticator) lookup(kid string) (key, bool) {
	for _, s := range a.sets {
		if k, ok := s.lookup(kid); ok {
			return k, true
		}
	}
	return key{}, false
}
