package app

import (
	"fmt"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/shopsupergraph/shop/platform/clientip"
	"github.com/shopsupergraph/shop/platform/config"
	"github.com/shopsupergraph/shop/platform/service"
	"github.com/shopsupergraph/shop/subgraphs/users/internal/throttle"
)

// Config is the users service configuration: the shared variables plus
//
//	TOKEN_TTL                    lifetime of issued bearer tokens (default 24h)
//	BCRYPT_COST                  password hashing cost (default 10; 4 allowed outside production for fast tests)
//	REDIS_ADDR                   Redis host:port holding the attempt counters; empty disables the limits
//	REDIS_PASSWORD               Redis password (optional)
//	REDIS_KEY_PREFIX             prefix of every key (default "shop:")
//	LOGIN_MAX_FAILURES_PER_USER  failed logins per username per window (default 5; 0 = no limit)
//	LOGIN_MAX_ATTEMPTS_PER_ADDR  failed logins per client address per window (default 20; 0 = no limit)
//	LOGIN_WINDOW                 length of the login windows (default 15m)
//	REGISTER_MAX_PER_ADDR        registrations per client address per window (default 0 = no limit)
//	REGISTER_WINDOW              length of the registration windows (default 1h)
//	TRUSTED_CLIENT_IP_HEADER     header a trusted proxy names the client in (default X-Forwarded-For)
//	TRUSTED_PROXIES              addresses or CIDRs whose requests may name the client, typically the router's (default and "none": nobody, the TCP peer is the client)
type Config struct {
	service.Common
	TokenTTL       time.Duration
	BcryptCost     int
	RedisAddr      string
	RedisPassword  string
	RedisKeyPrefix string
	Limits         throttle.Limits
	ClientIPHeader string
	TrustedProxies []string
}

// LoadConfig reads the configuration and reports every problem at once.
func LoadConfig(env *config.Env) (Config, error) {
	c := Config{
		Common:         service.LoadCommon(env, "users", ":4001"),
		TokenTTL:       env.Duration("TOKEN_TTL", 24*time.Hour),
		BcryptCost:     env.Int("BCRYPT_COST", bcrypt.DefaultCost),
		RedisAddr:      env.String("REDIS_ADDR", ""),
		RedisPassword:  env.String("REDIS_PASSWORD", ""),
		RedisKeyPrefix: env.String("REDIS_KEY_PREFIX", "shop:"),
		Limits: throttle.Limits{
			MaxFailuresPerUser:      env.Int("LOGIN_MAX_FAILURES_PER_USER", 5),
			MaxAttemptsPerAddr:      env.Int("LOGIN_MAX_ATTEMPTS_PER_ADDR", 20),
			Window:                  env.Duration("LOGIN_WINDOW", 15*time.Minute),
			MaxRegistrationsPerAddr: env.Int("REGISTER_MAX_PER_ADDR", 0),
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
		{"LOGIN_MAX_FAILURES_PER_USER", c.Limits.MaxFailuresPerUser},
		{"LOGIN_MAX_ATTEMPTS_PER_ADDR", c.Limits.MaxAttemptsPerAddr},
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
	return fmt.Sprintf("%s tokenTTL=%s bcryptCost=%d redis=%q redisPrefix=%q loginLimits=%d/user,%d/addr per %s register=%d/addr per %s clientIPHeader=%s trustedProxies=%v",
		c.Common.String(), c.TokenTTL, c.BcryptCost, c.RedisAddr, c.RedisKeyPrefix,
		c.Limits.MaxFailuresPerUser, c.Limits.MaxAttemptsPerAddr, c.Limits.Window,
		c.Limits.MaxRegistrationsPerAddr, c.Limits.RegisterWindow, c.ClientIPHeader, c.TrustedProxies)
}
