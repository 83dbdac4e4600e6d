package config

import (
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Authentication configures verifying bearer tokens at the router against
// published JWK sets (users' /.well-known/jwks.json). It is off while no
// JWKS URL is configured: tokens then reach the subgraphs unchecked, which
// verify them anyway (the HS256 tokens of `make run` included).
type Authentication struct {
	// JWKS lists the key sets tokens are verified against; empty turns
	// verification off.
	JWKS []JWKS `yaml:"jwks"`
	// HeaderName is the request header carrying the token (default
	// Authorization).
	HeaderName string `yaml:"header_name"`
	// HeaderPrefix is the scheme before the token (default Bearer, matched
	// case-insensitively); "" means the whole header value is the token.
	HeaderPrefix string `yaml:"header_prefix"`
	// Require refuses requests without a token (default false: the
	// subgraphs decide what anonymous callers may do).
	Require bool `yaml:"require"`

	// env holds the ROUTER_JWKS_* values until every variable was read,
	// so their order in the environment does not matter.
	env jwksEnv
}

// JWKS is one published key set.
type JWKS struct {
	// URL is where the set is fetched, e.g. http://users:4001/.well-known/jwks.json.
	URL string `yaml:"url"`
	// RefreshInterval is how often the set is fetched again in the
	// background (0: DefaultJWKSRefresh).
	RefreshInterval time.Duration `yaml:"refresh_interval"`
	// Algorithms are the token algorithms accepted with this set's keys
	// (default EdDSA and RS256; only those two are possible).
	Algorithms []string `yaml:"algorithms"`
}

// DefaultJWKSRefresh is how often a key set is fetched again, as the
// subgraphs' TOKEN_JWKS_REFRESH does.
const DefaultJWKSRefresh = 5 * time.Minute

// JWKSAlgorithms are the algorithms a key set can verify: the ones users
// signs with when it holds a private key. HS256 needs a shared secret and
// "none" no key at all; neither is ever accepted against a JWK set.
var JWKSAlgorithms = []string{"EdDSA", "RS256"}

type jwksEnv struct {
	urls, algorithms *[]string
	refresh          *time.Duration
}

// AuthenticationEnabled reports whether the router verifies tokens.
func (c Config) AuthenticationEnabled() bool { return len(c.Authentication.JWKS) > 0 }

func (c *Config) setAuthenticationDefaults() {
	c.Authentication.HeaderName = "Authorization"
	c.Authentication.HeaderPrefix = "Bearer"
}

// applyAuthenticationEnv handles the ROUTER_JWKS_* and
// ROUTER_AUTHENTICATION_* variables; it reports whether k was one of them.
func (c *Config) applyAuthenticationEnv(k, v string) (bool, error) {
	var err error
	e := &c.Authentication.env
	switch k {
	case "ROUTER_JWKS_URL":
		list := splitList(v)
		e.urls = &list
	case "ROUTER_JWKS_ALGORITHMS":
		list := splitList(v)
		e.algorithms = &list
	case "ROUTER_JWKS_REFRESH_INTERVAL":
		var d time.Duration
		if d, err = time.ParseDuration(v); err == nil {
			e.refresh = &d
		}
	case "ROUTER_AUTHENTICATION_REQUIRE":
		c.Authentication.Require, err = strconv.ParseBool(v)
	default:
		return false, nil
	}
	return true, err
}

// finishAuthenticationEnv applies the ROUTER_JWKS_* variables once all are
// read: ROUTER_JWKS_URL (a comma list) replaces the sets of router.yaml,
// and the interval and algorithms apply to every set.
func (c *Config) finishAuthenticationEnv() {
	e := c.Authentication.env
	c.Authentication.env = jwksEnv{}
	if e.urls != nil {
		sets := make([]JWKS, 0, len(*e.urls))
		for _, u := range *e.urls {
			sets = append(sets, JWKS{URL: u})
		}
		c.Authentication.JWKS = sets
	}
	for i := range c.Authentication.JWKS {
		if e.refresh != nil {
			c.Authentication.JWKS[i].RefreshInterval = *e.refresh
		}
		if e.algorithms != nil {
			c.Authentication.JWKS[i].Algorithms = *e.algorithms
		}
	}
}

// validateAuthentication reports the authentication section's problems.
func (c Config) validateAuthentication() []error {
	a := c.Authentication
	var errs []error
	for i, s := range a.JWKS {
		name := fmt.Sprintf("authentication.jwks[%d]", i)
		if u, err := url.Parse(s.URL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			errs = append(errs, fmt.Errorf("%s.url: must be an http(s) URL, got %q", name, s.URL))
		}
		if s.RefreshInterval < 0 {
			errs = append(errs, fmt.Errorf("%s.refresh_interval: must not be negative", name))
		}
		for _, alg := range s.Algorithms {
			if alg != JWKSAlgorithms[0] && alg != JWKSAlgorithms[1] {
				errs = append(errs, fmt.Errorf("%s.algorithms: %q cannot be verified with a public key; use %s", name, alg, strings.Join(JWKSAlgorithms, " or ")))
			}
		}
	}
	if strings.TrimSpace(a.HeaderName) == "" || strings.ContainsAny(a.HeaderName, " :\t\r\n") {
		errs = append(errs, fmt.Errorf("authentication.header_name: invalid header name %q", a.HeaderName))
	}
	if strings.ContainsAny(a.HeaderPrefix, " \t\r\n") {
		errs = append(errs, fmt.Errorf("authentication.header_prefix: must be one word, got %q", a.HeaderPrefix))
	}
	if a.Require && len(a.JWKS) == 0 {
		errs = append(errs, errors.New("authentication.require: needs authentication.jwks (or ROUTER_JWKS_URL)"))
	}
	return errs
}
