package app

import (
	"fmt"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/shopsupergraph/shop/platform/clientip"
	"github.com/shopsupergraph/shop/platform/config"
	"github.com/shopsupergraph/shop/platform/redisx"
	"github.com/shopsupergraph/shop/platform/service"
	"github.com/shopsupergraph/shop/subgraphs/users/internal/accounts"
	"github.com/shopsupergraph/shop/subgraphs/users/internal/throttle"
)

// Config is the users service configuration: the shared variables plus
//
//	TOKEN_TTL                    lifetime of issued bearer tokens (default 24h)
//	BCRYPT_COST                  password hashing cost (default 10; 4 allowed outside production for fast tests)
//	REDIS_LIMITS_ADDR            Redis host:port holding the attempt counters (default REDIS_ADDR); empty disables the limits
//	REDIS_LIMITS_PASSWORD        its password (default REDIS_PASSWORD; or REDIS_LIMITS_PASSWORD_FILE / REDIS_PASSWORD_FILE)
//	REDIS_LIMITS_DB              its database number (default 1; the cache's is REDIS_DB, default 0)
//	REDIS_KEY_PREFIX             prefix of every key (default "shop:")
//	LOGIN_MAX_FAILURES_PER_USER_ADDR  failed logins per username from one client address per window (default 5; 0 = no limit)
//	LOGIN_MAX_ATTEMPTS_PER_ADDR  failed logins per client address per window (default 20; 0 = no limit)
//	LOGIN_WINDOW                 length of the login windows (default 15m)
//	LOGIN_USER_BACKOFF_AFTER     failed logins per username from all addresses before each attempt waits (default 50; 0 = never)
//	LOGIN_USER_BACKOFF           first such wait, doubled per further failure (default 1s)
//	LOGIN_USER_BACKOFF_MAX       longest such wait (default 15m)
//	LOGIN_FAMILIAR_FOR           how long an address the user logged in from skips that wait (default 720h)
//	REGISTER_MAX_PER_ADDR        registrations per client address per window (default 10; 0 = no limit)
//	REGISTER_WINDOW              length of the registration windows (default 1h)
//	USERS_DIRECTORY              who may list every user: public (anyone) or staff (the admin key);
//	                             default public in development, staff in production
//	TRUSTED_CLIENT_IP_HEADER     header a trusted proxy names the client in (default X-Forwarded-For)
//	TRUSTED_PROXIES              addresses or CIDRs whose requests may name the client, typically the router's (default and "none": nobody, the TCP peer is the client)
type Config struct {
	service.Common
	TokenTTL   time.Duration
	BcryptCost int
	// RedisLimits is where the attempt counters live: a database the
	// cache's eviction cannot reach (see platform/redisx).
	RedisLimits    redisx.Config
	RedisKeyPrefix string
	Limits         throttle.Limits
	ClientIPHeader string
	TrustedProxies []string
	Directory      accounts.Directory
}

// LoadConfig reads the configuration and reports every problem at once.
func LoadConfig(env *config.Env) (Config, error) {
	c := Config{
		Common:         service.LoadIssuerCommon(env, "users", ":4001"),
		TokenTTL:       env.Duration("TOKEN_TTL", 24*time.Hour),
		BcryptCost:     env.Int("BCRYPT_COST", bcrypt.DefaultCost),
		RedisLimits:    redisx.LoadLimits(env),
		RedisKeyPrefix: env.String("REDIS_KEY_PREFIX", "shop:"),
		Limits: throttle.Limits{
			MaxFailuresPerUserAddr:  env.Int("LOGIN_MAX_FAILURES_PER_USER_ADDR", 5),
			MaxAttemptsPerAddr:      env.Int("LOGIN_MAX_ATTEMPTS_PER_ADDR", 20),
			Window:                  env.Duration("LOGIN_WINDOW", 15*time.Minute),
			UserBackoffAfter:        env.Int("LOGIN_USER_BACKOFF_AFTER", 50),
			UserBackoff:             env.Duration("LOGIN_USER_BACKOFF", time.Second),
			UserBackoffMax:          env.Duration("LOGIN_USER_BACKOFF_MAX", 15*time.Minute),
			FamiliarFor:             env.Duration("LOGIN_FAMILIAR_FOR", 30*24*time.Hour),
			MaxRegistrationsPerAddr: env.Int("REGISTER_MAX_PER_ADDR", 10),
			RegisterWindow:          env.Duration("REGISTER_WINDOW", time.Hour),
		},
		ClientIPHeader: env.String("TRUSTED_CLIENT_IP_HEADER", clientip.DefaultHeader),
		TrustedProxies: env.List("TRUSTED_PROXIES", nil),
	}
	if c.TokenTTL <= 0 {
		env.Problem("TOKEN_TTL must be positive, got %s", c.TokenTTL)
	}
	minCost := bcrypt.MinCost
	if c.Production() {
		minCost = bcrypt.DefaultCost
	}
	if c.BcryptCost < minCost || c.BcryptCost > bcrypt.MaxCost {
		env.Problem("BCRYPT_COST must be between %d and %d, got %d", minCost, bcrypt.MaxCost, c.BcryptCost)
	}
	for _, l := range []struct {
		name string
		v    int
	}{
		{"LOGIN_MAX_FAILURES_PER_USER_ADDR", c.Limits.MaxFailuresPerUserAddr},
		{"LOGIN_MAX_ATTEMPTS_PER_ADDR", c.Limits.MaxAttemptsPerAddr},
		{"LOGIN_USER_BACKOFF_AFTER", c.Limits.UserBackoffAfter},
		{"REGISTER_MAX_PER_ADDR", c.Limits.MaxRegistrationsPerAddr},
	} {
		if l.v < 0 {
			env.Problem("%s must not be negative (0 disables the limit), got %d", l.name, l.v)
		}
	}
	if c.Limits.Window <= 0 {
		env.Problem("LOGIN_WINDOW must be positive, got %s", c.Limits.Window)
	}
	if c.Limits.RegisterWindow <= 0 {
		env.Problem("REGISTER_WINDOW must be positive, got %s", c.Limits.RegisterWindow)
	}
	if c.Limits.UserBackoff <= 0 {
		env.Problem("LOGIN_USER_BACKOFF must be positive, got %s", c.Limits.UserBackoff)
	}
	if c.Limits.UserBackoffMax < c.Limits.UserBackoff {
		env.Problem("LOGIN_USER_BACKOFF_MAX (%s) must not be shorter than LOGIN_USER_BACKOFF (%s)", c.Limits.UserBackoffMax, c.Limits.UserBackoff)
	}
	if c.Limits.FamiliarFor <= 0 {
		env.Problem("LOGIN_FAMILIAR_FOR must be positive, got %s", c.Limits.FamiliarFor)
	}
	// The old per-username hard limit let anyone lock any account; a
	// deployment still setting it is told what replaced it.
	if _, set := env.Lookup("LOGIN_MAX_FAILURES_PER_USER"); set {
		env.Problem("LOGIN_MAX_FAILURES_PER_USER is no longer read: failures are limited per username and address (LOGIN_MAX_FAILURES_PER_USER_ADDR) and slowed per username (LOGIN_USER_BACKOFF_AFTER)")
	}
	defaultDir := accounts.DirectoryPublic
	if c.Production() {
		defaultDir = accounts.DirectoryStaff
	}
	dir, err := accounts.ParseDirectory(env.String("USERS_DIRECTORY", string(defaultDir)))
	if err != nil {
		env.Problem("USERS_DIRECTORY: %v", err)
	}
	c.Directory = dir
	if len(c.TrustedProxies) == 1 && c.TrustedProxies[0] == "none" {
		c.TrustedProxies = nil
	}
	if _, err := clientip.NewResolver(c.ClientIPHeader, c.TrustedProxies); err != nil {
		env.Problem("TRUSTED_PROXIES: %v", err)
	}
	if err := env.Err(); err != nil {
		return Config{}, fmt.Errorf("load users config: %w", err)
	}
	return c, nil
}

// String describes the configuration with secrets masked, for logs.
func (c Config) String() string {
	l := c.Limits
	return fmt.Sprintf("%s tokenTTL=%s bcryptCost=%d redisLimits=%s redisPrefix=%q loginLimits=%d/user+addr,%d/addr per %s userBackoff=after %d, %s..%s, familiar %s register=%d/addr per %s clientIPHeader=%s trustedProxies=%v directory=%s",
		c.Common.String(), c.TokenTTL, c.BcryptCost, c.RedisLimits, c.RedisKeyPrefix,
		l.MaxFailuresPerUserAddr, l.MaxAttemptsPerAddr, l.Window, l.UserBackoffAfter, l.UserBackoff, l.UserBackoffMax, l.FamiliarFor,
		l.MaxRegistrationsPerAddr, l.RegisterWindow, c.ClientIPHeader, c.TrustedProxies, c.Directory)
}
