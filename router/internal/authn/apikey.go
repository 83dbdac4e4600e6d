package authn

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
)

// APIKey is a static key that stands for a principal at the router, as
// Cosmo's and Hive's static API keys do: a request presenting it in one of
// Headers counts as authenticated and holds Scopes, so @authenticated and
// @requiresScopes fields stay reachable for operators' scripts that have
// no user token. The shop's admin key (x-api-key, alias x-api-token) is
// one such key.
type APIKey struct {
	// Name identifies the key in logs; the key itself is never logged.
	Name string
	// Headers are the request headers that may carry the key.
	Headers []string
	// Key is the secret; not empty (production keys are long random
	// strings: the shop requires 32 bytes or more of its admin key).
	Key string
	// Scopes are the scopes a request presenting the key holds.
	Scopes []string
}

// APIKeys checks the static keys of requests.
type APIKeys struct {
	keys    []apiKey
	headers []string // canonical, every key's, unique
}

type apiKey struct {
	name    string
	headers []string
	sum     [sha256.Size]byte
	scopes  []string
}

// KeyHolder is the principal of a request that presented a valid API key.
type KeyHolder struct {
	// Name is the key's name.
	Name string
	// Scopes are the scopes the key grants (sorted, unique).
	Scopes []string
}

// NewAPIKeys returns the checker of keys, refusing unnamed or empty keys,
// keys without headers and two keys with one name.
func NewAPIKeys(keys []APIKey) (*APIKeys, error) {
	out := &APIKeys{}
	var errs []error
	for i, k := range keys {
		switch {
		case strings.TrimSpace(k.Name) == "":
			errs = append(errs, fmt.Errorf("api key %d: no name", i))
		case strings.TrimSpace(k.Key) == "":
			errs = append(errs, fmt.Errorf("api key %q: empty", k.Name))
		case len(k.Headers) == 0:
			errs = append(errs, fmt.Errorf("api key %q: no header names", k.Name))
		case slices.ContainsFunc(out.keys, func(o apiKey) bool { return o.name == k.Name }):
			errs = append(errs, fmt.Errorf("api key %q: configured twice", k.Name))
		}
		hs := make([]string, 0, len(k.Headers))
		for _, h := range k.Headers {
			c := http.CanonicalHeaderKey(strings.TrimSpace(h))
			hs = append(hs, c)
			if !slices.Contains(out.headers, c) {
				out.headers = append(out.headers, c)
			}
		}
		scopes := slices.Clone(k.Scopes)
		slices.Sort(scopes)
		out.keys = append(out.keys, apiKey{name: k.Name, headers: hs, sum: sha256.Sum256([]byte(k.Key)), scopes: slices.Compact(scopes)})
	}
	if err := errors.Join(errs...); err != nil {
		return nil, fmt.Errorf("authentication: %w", err)
	}
	return out, nil
}

// Check returns the holder of the key the request presents, nil when it
// presents none, or an UNAUTHENTICATED *Error (401) when a key header
// holds a value no key accepts in that header. Every presented value must
// be valid: a wrong key is refused even beside a right one. Keys are
// compared by their SHA-256 digests in constant time, so neither the
// content nor the length of a key leaks through timing.
func (a *APIKeys) Check(h http.Header) (*KeyHolder, error) {
	var holder *KeyHolder
	for _, name := range a.headers {
		for _, v := range h.Values(name) {
			v = strings.TrimSpace(v)
			if v == "" {
				continue // an empty header presents no key, as in the subgraphs
			}
			sum := sha256.Sum256([]byte(v))
			var match *apiKey
			for i := range a.keys {
				k := &a.keys[i]
				eq := subtle.ConstantTimeCompare(sum[:], k.sum[:]) == 1
				if eq && slices.Contains(k.headers, name) && match == nil {
					match = k
				}
			}
			if match == nil {
				return nil, unauthenticated("invalid API key in the " + name + " header")
			}
			if holder == nil {
				holder = &KeyHolder{Name: match.name, Scopes: match.scopes}
			} else if holder.Name != match.name {
				return nil, unauthenticated("two different API keys presented")
			}
		}
	}
	return holder, nil
}

type keyHolderKey struct{}

// WithKeyHolder returns ctx carrying the holder of a valid API key.
func WithKeyHolder(ctx context.Context, k *KeyHolder) context.Context {
	return context.WithValue(ctx, keyHolderKey{}, k)
}

// KeyHolderFrom returns the holder of the API key the request presented,
// or nil.
func KeyHolderFrom(ctx context.Context) *KeyHolder {
	k, _ := ctx.Value(keyHolderKey{}).(*KeyHolder)
	return k
}

// Context checks the request's API keys and returns ctx carrying the
// holder (see Check).
func (a *APIKeys) Context(ctx context.Context, h http.Header) (context.Context, error) {
	k, err := a.Check(h)
	if err != nil {
		return ctx, err
	}
	if k != nil {
		ctx = WithKeyHolder(ctx, k)
	}
	return ctx, nil
}

// Middleware refuses requests presenting a wrong API key (401, before
// anything is parsed or planned) and records the holder of a right one.
// OPTIONS requests pass: preflights carry no credentials.
func (a *APIKeys) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodOptions {
			next.ServeHTTP(w, r)
			return
		}
		ctx, err := a.Context(r.Context(), r.Header)
		if err != nil {
			WriteError(w, err)
			return
		}
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}
