// Package authn verifies the bearer tokens clients send to the router
// against JWK sets, configured as Apollo Router's
// authentication.router.jwt: sets fetched over http(s) (users'
// /.well-known/jwks.json) or read from file:// URLs (the shop's HS256
// secret as an oct key), with keys of every JWK type (oct, RSA, EC, OKP).
// Forged, expired or unknown-key tokens are refused at the edge and never
// reach a subgraph. Verified tokens are still forwarded as they are: the
// subgraphs verify them again.
package authn

import (
	"cmp"
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
	// DefaultPollInterval is how often a set is fetched again, as Apollo
	// Router's poll_interval.
	DefaultPollInterval  = time.Minute
	DefaultMinRefreshGap = 30 * time.Second
	DefaultRetryInterval = time.Second
	DefaultFetchTimeout  = 5 * time.Second
	// DefaultClockSkew absorbs clock skew between the token's issuer and
	// the router in exp, nbf and iat (Apollo Router allows 60 s).
	DefaultClockSkew = 60 * time.Second
)

// KeySet is a JWK set tokens are verified against.
type KeySet struct {
	// URL is http(s)://... or file:///absolute/path.
	URL string
	// PollInterval is how often the set is fetched (or its file read)
	// again (default DefaultPollInterval).
	PollInterval time.Duration
	// Algorithms narrow the token algorithms accepted with this set's
	// keys; empty accepts every algorithm each key allows.
	Algorithms []string
	// Issuers, when set, are the iss values accepted from tokens this
	// set's keys verify; such a token must carry one of them.
	Issuers []string
	// Audiences, when set, must share a value with the token's aud.
	Audiences []string
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
	// ClockSkew is the leeway allowed in exp, nbf and iat.
	ClockSkew time.Duration
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
		if err := parseSetURL(s.URL); err != nil {
			return nil, fmt.Errorf("authentication: %w", err)
		}
		set := s.Algorithms
		if len(set) == 0 {
			set = Algorithms
		}
		for _, a := range set {
			if !slices.Contains(Algorithms, a) {
				return nil, fmt.Errorf("authentication: algorithm %q: not one of %s", a, strings.Join(Algorithms, ", "))
			}
			if !slices.Contains(algs, a) {
				algs = append(algs, a)
			}
		}
	}
	if cfg.HeaderName == "" {
		cfg.HeaderName = "Authorization"
	}
	if cfg.ClockSkew <= 0 {
		cfg.ClockSkew = DefaultClockSkew
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
		// Only the configured algorithms pass, whatever the token's header
		// says, and never "none"; each key is further limited to the
		// algorithms of its type (candidates). exp is required, as the
		// subgraphs require it and Apollo Router does.
		parser: jwt.NewParser(
			jwt.WithValidMethods(algs),
			jwt.WithLeeway(cfg.ClockSkew),
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
	claims, err := a.verify(ctx, tok)
	if err != nil {
		e := refusal(err)
		a.cfg.Logger.Debug("token refused", "code", e.Code, "err", err)
		return nil, e
	}
	return claims, nil
}

// verify checks tok against the keys that may have signed it: with a
// kid, the keys of that id (fetching the sets again once if none holds
// it); without one, every key whose type and alg fit the token's alg, as
// Apollo Router does. The first key whose signature holds decides; the
// token's iss and aud are then checked against that key's set.
func (a *Authenticator) verify(ctx context.Context, tok string) (Claims, error) {
	unverified, _, err := a.parser.ParseUnverified(tok, jwt.MapClaims{})
	var alg string
	if unverified != nil {
		alg, _ = unverified.Header["alg"].(string)
	}
	switch {
	case err != nil && !errors.Is(err, jwt.ErrTokenUnverifiable):
		return nil, err
	case err != nil || !slices.Contains(Algorithms, alg):
		// ErrTokenUnverifiable: an alg the library does not know.
		return nil, fmt.Errorf("%w: %q", errAlgorithm, alg)
	}
	kid, _ := unverified.Header["kid"].(string)
	cands, err := a.candidates(ctx, kid, alg)
	if err != nil {
		return nil, err
	}
	// The first refusal of a key whose signature held (wrong issuer or
	// audience for its set) wins over signature failures of other keys.
	var sigErr, setErr error
	for _, c := range cands {
		claims := jwt.MapClaims{}
		_, err := a.parser.ParseWithClaims(tok, claims, func(*jwt.Token) (any, error) { return c.key.public, nil })
		if errors.Is(err, jwt.ErrTokenSignatureInvalid) {
			sigErr = err
			continue
		}
		if err != nil {
			return nil, err
		}
		// The same keys may be configured twice, once per issuer.
		if err := c.set.checkIssuerAudience(claims); err != nil {
			setErr = cmp.Or(setErr, err)
			continue
		}
		return Claims(claims), nil
	}
	return nil, cmp.Or(setErr, sigErr)
}

// candidate is a key and the set it came from.
type candidate struct {
	set *keySet
	key key
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
	errAlgorithm   = errors.New("token algorithm not accepted")
	errUnknownKey  = errors.New("token signed by an unknown key")
	errAlgMismatch = errors.New("token algorithm does not fit its key")
	errNoKey       = errors.New("no key verifies tokens of this algorithm")
	errUnavailable = errors.New("the keys that verify tokens have not been fetched yet")
	errIssuer      = errors.New("token issuer not accepted")
	errAudience    = errors.New("token audience not accepted")
)

// candidates returns the keys that may verify a token of alg naming kid
// (see verify). It waits for each set's first fetch; a kid no set holds
// fetches the sets again (rate-limited per set) before it is called
// unknown.
func (a *Authenticator) candidates(ctx context.Context, kid, alg string) ([]candidate, error) {
	for _, s := range a.sets {
		select {
		case <-s.first:
		case <-ctx.Done():
			return nil, fmt.Errorf("%w: %w", errUnavailable, ctx.Err())
		}
	}
	if kid != "" && !a.holds(kid) {
		var wg sync.WaitGroup
		for _, s := range a.sets {
			wg.Go(func() { _ = s.fetchShared(ctx, true) }) //nolint:errcheck // fetch failures are logged; the lookup below decides
		}
		wg.Wait()
	}
	var out []candidate
	for _, s := range a.sets {
		for _, k := range s.candidates(kid, alg) {
			out = append(out, candidate{set: s, key: k})
		}
	}
	if len(out) > 0 {
		return out, nil
	}
	if !slices.ContainsFunc(a.sets, (*keySet).usable) {
		return nil, errUnavailable
	}
	switch {
	case kid == "":
		return nil, fmt.Errorf("%w (%s)", errNoKey, alg)
	case a.holds(kid):
		return nil, fmt.Errorf("%w: key %q does not verify %s", errAlgMismatch, kid, alg)
	}
	return nil, fmt.Errorf("%w %q", errUnknownKey, kid)
}

// holds reports whether a set holds a key with id kid.
func (a *Authenticator) holds(kid string) bool {
	return slices.ContainsFunc(a.sets, func(s *keySet) bool { return s.holds(kid) })
}

// checkIssuerAudience checks the claims of a token one of s's keys
// verified against s's issuers and audiences, when configured.
func (s *keySet) checkIssuerAudience(c jwt.MapClaims) error {
	if len(s.issuers) > 0 {
		iss, _ := c["iss"].(string)
		if !slices.Contains(s.issuers, iss) {
			return fmt.Errorf("%w: %q", errIssuer, iss)
		}
	}
	if len(s.audiences) > 0 {
		aud, err := c.GetAudience()
		if err != nil || !slices.ContainsFunc(aud, func(v string) bool { return slices.Contains(s.audiences, v) }) {
			return fmt.Errorf("%w: %v", errAudience, aud)
		}
	}
	return nil
}
