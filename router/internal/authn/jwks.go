package authn

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net/http"
	"slices"
	"sync"
	"time"
)

// maxJWKSBytes bounds a fetched key set; a real one is a few kilobytes.
const maxJWKSBytes = 1 << 20

// maxRetryInterval caps the wait between fetches while a set cannot be
// fetched.
const maxRetryInterval = 30 * time.Second

// errRateLimited means an unknown kid found a fetch for an earlier unknown
// kid less than MinRefreshGap ago and did not fetch again.
var errRateLimited = errors.New("jwks fetched for an unknown key moments ago")

// keySet is one published JWK set. It is fetched at start and then every
// refresh interval in the background (sooner, with a growing pause, while
// fetches fail), and at once when a token names a key id it does not hold,
// at most once per MinRefreshGap so that tokens with made-up key ids
// cannot hammer the publisher. A failed fetch keeps the keys already
// known: a users service that is briefly unreachable must not log every
// customer out.
type keySet struct {
	url     string
	algs    []string
	refresh time.Duration
	cfg     *Config
	log     *slog.Logger
	// base is the router's lifetime: fetches run on it rather than on
	// the request that started them, and stop when the router closes.
	base context.Context

	// first is closed once the first fetch ended, in success or not;
	// requests wait for it rather than fail while the router starts.
	first chan struct{}

	mu       sync.Mutex
	keys     map[string]key
	ever     bool      // a fetch succeeded once
	onDemand time.Time // start of the last fetch an unknown kid caused
	inflight *flight   // the fetch running now, shared by all who wait
}

// flight is one fetch; err is set before done is closed.
type flight struct {
	done chan struct{}
	err  error
}

func newKeySet(base context.Context, s KeySet, cfg *Config) *keySet {
	algs := s.Algorithms
	if len(algs) == 0 {
		algs = []string{AlgEdDSA, AlgRS256}
	}
	refresh := s.RefreshInterval
	if refresh <= 0 {
		refresh = DefaultRefresh
	}
	return &keySet{
		url: s.URL, algs: slices.Clone(algs), refresh: refresh, cfg: cfg, base: base,
		log:   cfg.Logger.With("jwks", s.URL),
		first: make(chan struct{}),
	}
}

// run fetches the set until ctx ends: at once, then every refresh
// interval, retrying failures after RetryInterval, doubled after each
// failure up to maxRetryInterval (and never beyond the refresh interval).
func (s *keySet) run(ctx context.Context) {
	retry := s.cfg.RetryInterval
	for first := true; ; first = false {
		err := s.fetchShared(ctx, false)
		if first {
			close(s.first)
		}
		wait := s.refresh
		if err != nil {
			wait = min(retry, s.refresh)
			retry = min(2*retry, maxRetryInterval)
		} else {
			retry = s.cfg.RetryInterval
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
		}
	}
}

// lookup returns the key with id kid, if the set holds it.
func (s *keySet) lookup(kid string) (key, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	k, ok := s.keys[kid]
	return k, ok
}

// usable reports whether a fetch ever succeeded.
func (s *keySet) usable() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.ever
}

// fetchShared fetches the set, or joins the fetch already running, and
// waits for it or for ctx. For an unknown kid no new fetch starts within
// MinRefreshGap of the last one an unknown kid started. The fetch itself
// runs on the router's context with its own timeout, so a caller giving
// up does not fail the others.
func (s *keySet) fetchShared(ctx context.Context, unknownKid bool) error {
	s.mu.Lock()
	f := s.inflight
	if f == nil {
		if unknownKid {
			now := time.Now()
			if !s.onDemand.IsZero() && now.Sub(s.onDemand) < s.cfg.MinRefreshGap {
				s.mu.Unlock()
				return errRateLimited
			}
			s.onDemand = now
		}
		f = &flight{done: make(chan struct{})}
		s.inflight = f
		go s.fetch(f)
	}
	s.mu.Unlock()
	select {
	case <-f.done:
		return f.err
	case <-ctx.Done():
		return fmt.Errorf("fetch jwks: %w", ctx.Err())
	}
}

func (s *keySet) fetch(f *flight) {
	keys, err := s.get()
	s.mu.Lock()
	changed := err == nil && !slices.Equal(slices.Sorted(maps.Keys(keys)), slices.Sorted(maps.Keys(s.keys)))
	if err == nil {
		s.keys, s.ever = keys, true
	}
	s.inflight = nil
	s.mu.Unlock()
	switch {
	case err != nil:
		s.log.Warn("cannot fetch the token keys; the keys known so far stay in use", "err", err)
	case changed:
		s.log.Info("token keys fetched", "kids", slices.Sorted(maps.Keys(keys)))
	}
	f.err = err
	close(f.done)
}

// get fetches and parses the set, keeping the signature keys of the
// configured algorithms. A set with none is an error, so a broken
// deployment never empties the cache.
func (s *keySet) get() (map[string]key, error) {
	ctx, cancel := context.WithTimeout(s.base, s.cfg.FetchTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.url, nil)
	if err != nil {
		return nil, fmt.Errorf("fetch jwks: %w", err)
	}
	req.Header.Set("Accept", "application/jwk-set+json, application/json")
	resp, err := s.cfg.Client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("fetch jwks: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("fetch jwks: status %s", resp.Status)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxJWKSBytes+1))
	if err != nil {
		return nil, fmt.Errorf("fetch jwks: %w", err)
	}
	if len(body) > maxJWKSBytes {
		return nil, fmt.Errorf("fetch jwks: larger than %d bytes", maxJWKSBytes)
	}
	var set struct {
		Keys []jwk `json:"keys"`
	}
	if err := json.Unmarshal(body, &set); err != nil {
		return nil, fmt.Errorf("fetch jwks: %w", err)
	}
	keys := map[string]key{}
	var skipped []error
	for _, j := range set.Keys {
		k, err := j.parse()
		if err != nil {
			skipped = append(skipped, err)
			continue
		}
		if !slices.Contains(s.algs, k.alg) {
			continue
		}
		if _, dup := keys[j.Kid]; dup {
			return nil, fmt.Errorf("fetch jwks: two keys with id %q", j.Kid)
		}
		keys[j.Kid] = k
	}
	if len(skipped) > 0 {
		s.log.Warn("skipped unusable keys of the JWK set", "err", errors.Join(skipped...))
	}
	if len(keys) == 0 {
		return nil, fmt.Errorf("fetch jwks: no usable %v signature keys", s.algs)
	}
	return keys, nil
}
