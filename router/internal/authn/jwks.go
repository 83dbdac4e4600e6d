package authn

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"os"
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

// keySet is one published JWK set, fetched over http(s) or read from a
// file:// URL. It is fetched at start and then every poll interval in the
// background (sooner, with a growing pause, while fetches fail), and at
// once when a token names a key id it does not hold, at most once per
// MinRefreshGap so that tokens with made-up key ids cannot hammer the
// publisher. A failed fetch keeps the keys already
// known: a users service that is briefly unreachable must not log every
// customer out.
type keySet struct {
	url       string
	file      string // the path of a file:// set
	algs      []string
	issuers   []string
	audiences []string
	refresh   time.Duration
	cfg       *Config
	log       *slog.Logger
	// base is the router's lifetime: fetches run on it rather than on
	// the request that started them, and stop when the router closes.
	base context.Context

	// first is closed once the first fetch ended, in success or not;
	// requests wait for it rather than fail while the router starts.
	first chan struct{}

	mu       sync.Mutex
	keys     []key
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
	refresh := s.PollInterval
	if refresh <= 0 {
		refresh = DefaultPollInterval
	}
	ks := &keySet{
		url: s.URL, algs: slices.Clone(s.Algorithms), refresh: refresh, cfg: cfg, base: base,
		issuers: slices.Clone(s.Issuers), audiences: slices.Clone(s.Audiences),
		log:   cfg.Logger.With("jwks", s.URL),
		first: make(chan struct{}),
	}
	if u, err := url.Parse(s.URL); err == nil && u.Scheme == "file" {
		ks.file = u.Path
	}
	return ks
}

// parseSetURL checks a key set's URL: http(s) with a host, or file://
// with an absolute path (file:///etc/router/jwks.json).
func parseSetURL(raw string) error {
	u, err := url.Parse(raw)
	switch {
	case err != nil:
		return fmt.Errorf("JWKS URL %q: %w", raw, err)
	case u.Scheme == "file" && (u.Host == "" || u.Host == "localhost") && u.Path != "" && u.Path[0] == '/':
		return nil
	case u.Scheme == "file":
		return fmt.Errorf("JWKS URL %q: a file URL needs an absolute path (file:///path/jwks.json)", raw)
	case (u.Scheme == "http" || u.Scheme == "https") && u.Host != "":
		return nil
	}
	return fmt.Errorf("JWKS URL %q: must be http(s):// or file://", raw)
}

// run fetches the set until ctx ends: at once, then every poll
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

// candidates returns the set's keys that may verify a token of alg
// naming kid: with a kid, the keys of that id; without one, every key
// fitting alg. The set's algorithms narrow both.
func (s *keySet) candidates(kid, alg string) []key {
	if len(s.algs) > 0 && !slices.Contains(s.algs, alg) {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []key
	for _, k := range s.keys {
		if (kid == "" || k.kid == kid) && k.fits(alg) {
			out = append(out, k)
		}
	}
	return out
}

// holds reports whether the set has a key with id kid, of any algorithm.
func (s *keySet) holds(kid string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.ContainsFunc(s.keys, func(k key) bool { return k.kid == kid })
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
	changed := err == nil && !slices.Equal(kids(keys), kids(s.keys))
	if err == nil {
		s.keys, s.ever = keys, true
	}
	s.inflight = nil
	s.mu.Unlock()
	switch {
	case err != nil:
		s.log.Warn("cannot fetch the token keys; the keys known so far stay in use", "err", err)
	case changed:
		s.log.Info("token keys fetched", "keys", len(keys), "kids", kids(keys))
	}
	f.err = err
	close(f.done)
}

// kids returns the key ids of keys, sorted; keys without one count as
// "-", so adding or removing one is noticed too.
func kids(keys []key) []string {
	out := make([]string, 0, len(keys))
	for _, k := range keys {
		id := k.kid
		if id == "" {
			id = "-"
		}
		out = append(out, id)
	}
	slices.Sort(out)
	return out
}

// get fetches (or reads) and parses the set, keeping the signature keys
// of the configured algorithms. A set with none is an error, so a broken
// deployment never empties the cache.
func (s *keySet) get() ([]key, error) {
	body, err := s.read()
	if err != nil {
		return nil, fmt.Errorf("fetch jwks: %w", err)
	}
	var set struct {
		Keys []jwk `json:"keys"`
	}
	if err := json.Unmarshal(body, &set); err != nil {
		return nil, fmt.Errorf("fetch jwks: %w", err)
	}
	var keys []key
	var skipped []error
	for _, j := range set.Keys {
		k, err := j.parse()
		if err != nil {
			skipped = append(skipped, err)
			continue
		}
		if len(s.algs) > 0 {
			k.algs = slices.DeleteFunc(k.algs, func(a string) bool { return !slices.Contains(s.algs, a) })
			if len(k.algs) == 0 {
				continue
			}
		}
		keys = append(keys, k)
	}
	if len(skipped) > 0 {
		s.log.Warn("skipped unusable keys of the JWK set", "err", errors.Join(skipped...))
	}
	if len(keys) == 0 {
		return nil, errors.New("fetch jwks: no usable signature keys")
	}
	return keys, nil
}

// read returns the set's bytes: the file of a file:// URL, read again on
// every poll (so a rotated secret is picked up without a restart), or
// the body of a GET.
func (s *keySet) read() ([]byte, error) {
	if s.file != "" {
		f, err := os.Open(s.file)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		return readCapped(f)
	}
	ctx, cancel := context.WithTimeout(s.base, s.cfg.FetchTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.url, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", "application/jwk-set+json, application/json")
	resp, err := s.cfg.Client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("status %s", resp.Status)
	}
	return readCapped(resp.Body)
}

// readCapped reads r up to maxJWKSBytes.
func readCapped(r io.Reader) ([]byte, error) {
	body, err := io.ReadAll(io.LimitReader(r, maxJWKSBytes+1))
	if err != nil {
		return nil, err
	}
	if len(body) > maxJWKSBytes {
		return nil, fmt.Errorf("larger than %d bytes", maxJWKSBytes)
	}
	return body, nil
}
