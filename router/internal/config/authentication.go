package config

import (
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Authentication configures verifying bearer tokens at the router, with
// Apollo Router's keys (authentication.router.jwt). It is off while no
// JWKS is configured: tokens then reach the subgraphs unchecked, which
// verify them anyway.
type Authentication struct {
	// Router holds the router's own verification of client tokens.
	Router AuthenticationRouter `yaml:"router"`
	// Require refuses requests without a token (default false: the
	// subgraphs and @authenticated decide what anonymous callers may do).
	Require bool `yaml:"require"`

	// env holds the ROUTER_JWKS_* and ROUTER_JWT_* values until every
	// variable was read, so their order in the environment does not matter.
	env jwksEnv
}

// AuthenticationRouter is Apollo Router's authentication.router.
type AuthenticationRouter struct {
	// JWT verifies JSON Web Tokens against JWK sets.
	JWT JWT `yaml:"jwt"`
	// APIKeys are static keys that stand for a principal holding their
	// scopes (the shop's admin key); empty turns them off.
	APIKeys []APIKey `yaml:"api_keys"`
}

// APIKey is one static key (authentication.router.api_keys[]): a request
// presenting it in one of HeaderNames is authenticated and holds Scopes,
// so @authenticated and @requiresScopes fields pass; a request presenting
// another value in those headers is refused with 401. Exactly one of Key
// and KeyFile is set.
type APIKey struct {
	// Name identifies the key in logs (default "admin").
	Name string `yaml:"name"`
	// HeaderNames are the headers that may carry the key (default
	// x-api-key and x-api-token, the shop's admin headers).
	HeaderNames []string `yaml:"header_names"`
	// Key is the key itself; prefer KeyFile, which keeps it out of the
	// configuration.
	Key string `yaml:"key"`
	// KeyFile is a file holding the key (surrounding white space is
	// ignored), read at startup.
	KeyFile string `yaml:"key_file"`
	// Scopes are the scopes the key grants.
	Scopes []string `yaml:"scopes"`
}

// DefaultAPIKeyHeaders are the headers of an API key that names none.
var DefaultAPIKeyHeaders = []string{"x-api-key", "x-api-token"}

// APIKeysEnabled reports whether API keys are configured.
func (c Config) APIKeysEnabled() bool { return len(c.Authentication.Router.APIKeys) > 0 }

// JWT is Apollo Router's authentication.router.jwt.
type JWT struct {
	// JWKS lists the key sets tokens are verified against; empty turns
	// verification off.
	JWKS []JWKS `yaml:"jwks"`
	// HeaderName is the request header carrying the token (default
	// Authorization).
	HeaderName string `yaml:"header_name"`
	// HeaderValuePrefix is the scheme before the token (default Bearer,
	// matched case-insensitively); "" means the whole header value is the
	// token.
	HeaderValuePrefix string `yaml:"header_value_prefix"`
	// ClockSkew is the leeway allowed in exp, nbf and iat (default 60s,
	// what Apollo Router allows; Apollo has no key for it).
	ClockSkew time.Duration `yaml:"clock_skew"`
}

// JWKS is one key set.
type JWKS struct {
	// URL is where the set is fetched (http(s)://, e.g. users'
	// http://users:4001/.well-known/jwks.json) or read (file:///path).
	URL string `yaml:"url"`
	// Issuer (Apollo Router's older spelling) and Issuers are the iss
	// values accepted from tokens this set verifies; empty checks none.
	Issuer  string   `yaml:"issuer"`
	Issuers []string `yaml:"issuers"`
	// Audiences, when set, must share a value with a token's aud.
	Audiences []string `yaml:"audiences"`
	// Algorithms narrow the token algorithms accepted with this set's
	// keys (default: every algorithm each key allows).
	Algorithms []string `yaml:"algorithms"`
	// PollInterval is how often the set is fetched (or read) again
	// (0: DefaultJWKSPollInterval).
	PollInterval time.Duration `yaml:"poll_interval"`
}

// AllIssuers returns issuer and issuers together.
func (j JWKS) AllIssuers() []string {
	if j.Issuer == "" {
		return j.Issuers
	}
	return append([]string{j.Issuer}, j.Issuers...)
}

// DefaultJWKSPollInterval is how often a key set is fetched again, as
// Apollo Router's poll_interval.
const DefaultJWKSPollInterval = time.Minute

// JWKSAlgorithms are the algorithms a key set can verify: HMAC with oct
// keys, RSA PKCS#1 v1.5 and PSS, ECDSA on P-256, P-384 and P-521, and
// EdDSA with Ed25519. "none" is never accepted.
var JWKSAlgorithms = []string{
	"HS256", "HS384", "HS512",
	"RS256", "RS384", "RS512", "PS256", "PS384", "PS512",
	"ES256", "ES384", "ES512",
	"EdDSA",
}

type jwksEnv struct {
	urls, algorithms, issuers, audiences *[]string
	poll                                 *time.Duration
	// The ROUTER_API_KEY* variables.
	apiKey, apiKeyFile       *string
	apiHeaders, apiKeyScopes *[]string
}

// AuthenticationEnabled reports whether the router verifies tokens.
func (c Config) AuthenticationEnabled() bool { return len(c.Authentication.Router.JWT.JWKS) > 0 }

func (c *Config) setAuthenticationDefaults() {
	c.Authentication.Router.JWT.HeaderName = "Authorization"
	c.Authentication.Router.JWT.HeaderValuePrefix = "Bearer"
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
			e.poll = &d
		}
	case "ROUTER_JWT_ISSUER":
		list := splitList(v)
		e.issuers = &list
	case "ROUTER_JWT_AUDIENCES":
		list := splitList(v)
		e.audiences = &list
	case "ROUTER_API_KEY":
		e.apiKey = &v
	case "ROUTER_API_KEY_FILE":
		e.apiKeyFile = &v
	case "ROUTER_API_KEY_HEADERS":
		list := splitList(v)
		e.apiHeaders = &list
	case "ROUTER_API_KEY_SCOPES":
		list := splitList(v)
		e.apiKeyScopes = &list
	case "ROUTER_AUTHENTICATION_REQUIRE":
		c.Authentication.Require, err = strconv.ParseBool(v)
	default:
		return false, nil
	}
	return true, err
}

// finishAuthenticationEnv applies the ROUTER_JWKS_* and ROUTER_JWT_*
// variables once all are read: ROUTER_JWKS_URL (a comma list) replaces
// the sets of router.yaml, and the others apply to every set.
func (c *Config) finishAuthenticationEnv() {
	e := c.Authentication.env
	c.Authentication.env = jwksEnv{}
	j := &c.Authentication.Router.JWT
	if e.urls != nil {
		sets := make([]JWKS, 0, len(*e.urls))
		for _, u := range *e.urls {
			sets = append(sets, JWKS{URL: u})
		}
		j.JWKS = sets
	}
	c.finishAPIKeyEnv(e)
	for i := range j.JWKS {
		s := &j.JWKS[i]
		if e.poll != nil {
			s.PollInterval = *e.poll
		}
		if e.algorithms != nil {
			s.Algorithms = *e.algorithms
		}
		if e.issuers != nil {
			s.Issuer, s.Issuers = "", *e.issuers
		}
		if e.audiences != nil {
			s.Audiences = *e.audiences
		}
	}
}

// finishAPIKeyEnv applies ROUTER_API_KEY or ROUTER_API_KEY_FILE (one key
// named admin replacing the yaml's keys; "" in both turns keys off),
// ROUTER_API_KEY_HEADERS and ROUTER_API_KEY_SCOPES (applied to every key).
func (c *Config) finishAPIKeyEnv(e jwksEnv) {
	r := &c.Authentication.Router
	if e.apiKey != nil || e.apiKeyFile != nil {
		k := APIKey{Name: "admin"}
		if e.apiKey != nil {
			k.Key = *e.apiKey
		}
		if e.apiKeyFile != nil {
			k.KeyFile = *e.apiKeyFile
		}
		r.APIKeys = nil
		if k.Key != "" || k.KeyFile != "" {
			r.APIKeys = []APIKey{k}
		}
	}
	for i := range r.APIKeys {
		k := &r.APIKeys[i]
		if e.apiHeaders != nil {
			k.HeaderNames = *e.apiHeaders
		}
		if e.apiKeyScopes != nil {
			k.Scopes = *e.apiKeyScopes
		}
		if k.Name == "" {
			k.Name = "admin"
		}
		if len(k.HeaderNames) == 0 {
			k.HeaderNames = slices.Clone(DefaultAPIKeyHeaders)
		}
	}
}

// validateAPIKeys reports the problems of authentication.router.api_keys
// (never a key's value).
func (c Config) validateAPIKeys() []error {
	var errs []error
	names := map[string]bool{}
	for i, k := range c.Authentication.Router.APIKeys {
		at := fmt.Sprintf("authentication.router.api_keys[%d]", i)
		if names[k.Name] {
			errs = append(errs, fmt.Errorf("%s.name: %q is used twice", at, k.Name))
		}
		names[k.Name] = true
		if (k.Key == "") == (k.KeyFile == "") {
			errs = append(errs, fmt.Errorf("%s: set exactly one of key and key_file (or ROUTER_API_KEY, ROUTER_API_KEY_FILE)", at))
		}
		for _, h := range k.HeaderNames {
			if strings.TrimSpace(h) == "" || strings.ContainsAny(h, " :\t\r\n") {
				errs = append(errs, fmt.Errorf("%s.header_names: invalid header name %q", at, h))
			}
		}
		for _, s := range k.Scopes {
			if s == "" || strings.ContainsAny(s, " \t\r\n") {
				errs = append(errs, fmt.Errorf("%s.scopes: invalid scope %q", at, s))
			}
		}
	}
	return errs
}

// validateAuthentication reports the authentication section's problems.
func (c Config) validateAuthentication() []error {
	a := c.Authentication
	j := a.Router.JWT
	const at = "authentication.router.jwt"
	errs := c.validateAPIKeys()
	for i, s := range j.JWKS {
		name := fmt.Sprintf("%s.jwks[%d]", at, i)
		if err := checkJWKSURL(s.URL); err != nil {
			errs = append(errs, fmt.Errorf("%s.url: %w", name, err))
		}
		if s.PollInterval < 0 {
			errs = append(errs, fmt.Errorf("%s.poll_interval: must not be negative", name))
		}
		for _, alg := range s.Algorithms {
			if !slices.Contains(JWKSAlgorithms, alg) {
				errs = append(errs, fmt.Errorf("%s.algorithms: %q is not one of %s", name, alg, strings.Join(JWKSAlgorithms, ", ")))
			}
		}
		for _, v := range append(s.AllIssuers(), s.Audiences...) {
			if strings.TrimSpace(v) == "" {
				errs = append(errs, fmt.Errorf("%s: empty issuer or audience", name))
			}
		}
	}
	if strings.TrimSpace(j.HeaderName) == "" || strings.ContainsAny(j.HeaderName, " :\t\r\n") {
		errs = append(errs, fmt.Errorf("%s.header_name: invalid header name %q", at, j.HeaderName))
	}
	if strings.ContainsAny(j.HeaderValuePrefix, " \t\r\n") {
		errs = append(errs, fmt.Errorf("%s.header_value_prefix: must be one word, got %q", at, j.HeaderValuePrefix))
	}
	if j.ClockSkew < 0 {
		errs = append(errs, fmt.Errorf("%s.clock_skew: must not be negative", at))
	}
	if a.Require && len(j.JWKS) == 0 {
		errs = append(errs, fmt.Errorf("authentication.require: needs %s.jwks (or ROUTER_JWKS_URL)", at))
	}
	return errs
}

// checkJWKSURL accepts http(s) URLs with a host and file URLs with an
// absolute path.
func checkJWKSURL(raw string) error {
	u, err := url.Parse(raw)
	switch {
	case err != nil:
		return fmt.Errorf("must be an http(s) or file URL, got %q", raw)
	case u.Scheme == "file" && (u.Host == "" || u.Host == "localhost") && strings.HasPrefix(u.Path, "/"):
		return nil
	case u.Scheme == "file":
		return fmt.Errorf("a file URL needs an absolute path (file:///path/jwks.json), got %q", raw)
	case (u.Scheme == "http" || u.Scheme == "https") && u.Host != "":
		return nil
	}
	return fmt.Errorf("must be an http(s) or file URL, got %q", raw)
}
