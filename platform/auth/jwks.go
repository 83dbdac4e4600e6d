package auth

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"slices"
	"sync"
	"time"

	"golang.org/x/sync/singleflight"
)

// Defaults of RemoteOptions.
const (
	DefaultJWKSRefresh       = 5 * time.Minute
	DefaultJWKSMinRefreshGap = 30 * time.Second
	DefaultJWKSTimeout       = 5 * time.Second
	// MaxJWKSBytes bounds a fetched JWK set; a real one is a few kilobytes.
	MaxJWKSBytes = 1 << 20
)

// RemoteOptions tune RemoteKeys; zero values take the defaults.
type RemoteOptions struct {
	// Algorithms are the algorithms whose keys are used; keys for others
	// are skipped. Default: EdDSA and RS256.
	Algorithms []string
	// Refresh is the age after which the set is fetched again, in the
	// background, while verifications go on with the keys at hand.
	Refresh time.Duration
	// MinRefreshGap is the least time between two fetches: a burst of
	// tokens naming unknown keys (or an unreachable URL) costs one fetch
	// per gap, not one per token.
	MinRefreshGap time.Duration
	// Timeout bounds one fetch.
	Timeout time.Duration
	// Client fetches the set; http.DefaultClient when nil.
	Client *http.Client
	// Log receives fetch failures; nothing is logged when nil.
	Log *slog.Logger
}

// RemoteKeys is a KeySource over a JWK set published at a URL (users'
// /.well-known/jwks.json). The set is fetched on first use and cached; a
// token naming an unknown kid fetches it again at once (a key rotation),
// at most once per MinRefreshGap; a set older than Refresh is refetched in
// the background. A failed fetch keeps the keys already known, so an
// unreachable users service does not log every customer out of the others.
type RemoteKeys struct {
	url    string
	opt    RemoteOptions
	now    func() time.Time
	flight singleflight.Group

	mu        sync.Mutex
	keys      map[string]Key
	fetched   time.Time // last successful fetch
	attempted time.Time // start of the last fetch
}

// NewRemoteKeys returns a key source over the JWK set at url.
func NewRemoteKeys(url string, o RemoteOptions) *RemoteKeys {
	if len(o.Algorithms) == 0 {
		o.Algorithms = []string{AlgEdDSA, AlgRS256}
	}
	if o.Refresh <= 0 {
		o.Refresh = DefaultJWKSRefresh
	}
	if o.MinRefreshGap <= 0 {
		o.MinRefreshGap = DefaultJWKSMinRefreshGap
	}
	if o.Timeout <= 0 {
		o.Timeout = DefaultJWKSTimeout
	}
	if o.Client == nil {
		o.Client = http.DefaultClient
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	return &RemoteKeys{url: url, opt: o, now: time.Now}
}

// Key implements KeySource.
func (r *RemoteKeys) Key(ctx context.Context, kid string) (Key, error) {
	k, ok, stale, mayFetch := r.lookup(kid)
	if ok {
		if stale && mayFetch {
			go r.refresh(context.Background()) //nolint:errcheck // logged by fetch; the keys at hand serve meanwhile
		}
		return k, nil
	}
	err := r.refresh(ctx)
	if k, ok, _, _ = r.lookup(kid); ok {
		return k, nil
	}
	if err != nil {
		return Key{}, fmt.Errorf("%w %q: %w", ErrUnknownKey, kid, err)
	}
	return Key{}, fmt.Errorf("%w %q", ErrUnknownKey, kid)
}

func (r *RemoteKeys) lookup(kid string) (k Key, ok, stale, mayFetch bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	now := r.now()
	k, ok = r.keys[kid]
	stale = now.Sub(r.fetched) >= r.opt.Refresh
	mayFetch = r.attempted.IsZero() || now.Sub(r.attempted) >= r.opt.MinRefreshGap
	return k, ok, stale, mayFetch
}

// refresh fetches the set unless a fetch started less than MinRefreshGap
// ago; concurrent callers share one fetch. The fetch runs on its own
// deadline, so one caller giving up does not fail the others.
func (r *RemoteKeys) refresh(ctx context.Context) error {
	ch := r.flight.DoChan("jwks", func() (any, error) { return nil, r.fetch() })
	select {
	case res := <-ch:
		return res.Err
	case <-ctx.Done():
		return fmt.Errorf("fetch jwks: %w", ctx.Err())
	}
}

// errRateLimited means a fetch was skipped because another started
// within MinRefreshGap.
var errRateLimited = errors.New("jwks fetched moments ago; not fetched again yet")

func (r *RemoteKeys) fetch() error {
	r.mu.Lock()
	now := r.now()
	if !r.attempted.IsZero() && now.Sub(r.attempted) < r.opt.MinRefreshGap {
		r.mu.Unlock()
		return errRateLimited
	}
	r.attempted = now
	r.mu.Unlock()

	keys, err := r.get()
	if err != nil {
		r.opt.Log.Warn("cannot refresh the token keys; the keys known so far stay in use", "url", r.url, "err", err)
		return err
	}
	r.mu.Lock()
	r.keys, r.fetched = keys, r.now()
	r.mu.Unlock()
	return nil
}

// get fetches and parses the set, keeping the usable keys: signature
// keys of the configured algorithms. A set with none is an error, so a
// broken deployment never empties the cache.
func (r *RemoteKeys) get() (map[string]Key, error) {
	ctx, cancel := context.WithTimeout(context.Background(), r.opt.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, r.url, nil)
	if err != nil {
		return nil, fmt.Errorf("fetch jwks: %w", err)
	}
	req.Header.Set("Accept", "application/jwk-set+json, application/json")
	resp, err := r.opt.Client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("fetch jwks: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("fetch jwks %s: status %s", r.url, resp.Status)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, MaxJWKSBytes+1))
	if err != nil {
		return nil, fmt.Errorf("fetch jwks: %w", err)
	}
	if len(body) > MaxJWKSBytes {
		return nil, fmt.Errorf("fetch jwks %s: larger than %d bytes", r.url, MaxJWKSBytes)
	}
	var set JWKSet
	if err := json.Unmarshal(body, &set); err != nil {
		return nil, fmt.Errorf("fetch jwks %s: %w", r.url, err)
	}
	keys := map[string]Key{}
	var skipped []error
	for _, j := range set.Keys {
		k, err := j.Key()
		if err != nil {
			skipped = append(skipped, err)
			continue
		}
		if !slices.Contains(r.opt.Algorithms, k.Alg) {
			continue
		}
		if _, dup := keys[k.ID]; dup {
			return nil, fmt.Errorf("fetch jwks %s: two keys with id %q", r.url, k.ID)
		}
		keys[k.ID] = k
	}
	if len(skipped) > 0 {
		r.opt.Log.Warn("skipped unusable keys of the JWK set", "url", r.url, "err", errors.Join(skipped...))
	}
	if len(keys) == 0 {
		return nil, fmt.Errorf("fetch jwks %s: no usable %v signature keys", r.url, r.opt.Algorithms)
	}
	return keys, nil
}
