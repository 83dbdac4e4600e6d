package app

import (
	"net/url"
	"time"

	"github.com/shopsupergraph/shop/platform/config"
	"github.com/shopsupergraph/shop/platform/service"
)

// Config is the orders service's configuration: the shared variables plus
//
//	PRODUCTS_INTERNAL_URL     products' internal API (default http://localhost:4002)
//	PRODUCTS_TIMEOUT          per-attempt timeout of a products call (default 2s)
//	PRODUCTS_ATTEMPTS         attempts per products call, 1-10 (default 3)
//	ORDER_RECOVERY_GRACE      age before recovery takes over unfinished work (default 30s);
//	                          must exceed a request's worst products budget
//	ORDER_RECOVERY_INTERVAL   pause between recovery passes (default 15s)
type Config struct {
	service.Common
	ProductsURL      string
	ProductsTimeout  time.Duration
	ProductsAttempts int
	RecoveryGrace    time.Duration
	RecoveryInterval time.Duration
}

// LoadConfig reads the configuration and reports every problem at once.
func LoadConfig(env *config.Env) (Config, error) {
	c := Config{
		Common:           service.LoadCommon(env, "orders", ":4003"),
		ProductsURL:      env.String("PRODUCTS_INTERNAL_URL", "http://localhost:4002"),
		ProductsTimeout:  env.Duration("PRODUCTS_TIMEOUT", 2*time.Second),
		ProductsAttempts: env.Int("PRODUCTS_ATTEMPTS", 3),
		RecoveryGrace:    env.Duration("ORDER_RECOVERY_GRACE", 30*time.Second),
		RecoveryInterval: env.Duration("ORDER_RECOVERY_INTERVAL", 15*time.Second),
	}
	if u, err := url.Parse(c.ProductsURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		env.Problem("PRODUCTS_INTERNAL_URL must be an http(s) URL, got %q", c.ProductsURL)
	}
	if c.ProductsTimeout <= 0 {
		env.Problem("PRODUCTS_TIMEOUT must be positive")
	}
	if c.ProductsAttempts < 1 || c.ProductsAttempts > 10 {
		env.Problem("PRODUCTS_ATTEMPTS must be between 1 and 10, got %d", c.ProductsAttempts)
	}
	if c.RecoveryGrace < 0 {
		env.Problem("ORDER_RECOVERY_GRACE must not be negative")
	}
	if c.RecoveryInterval <= 0 {
		env.Problem("ORDER_RECOVERY_INTERVAL must be positive")
	}
	if err := env.Err(); err != nil {
		return Config{}, err
	}
	return c, nil
}
