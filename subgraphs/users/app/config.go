package app

import (
	"fmt"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/shopsupergraph/shop/platform/config"
	"github.com/shopsupergraph/shop/platform/service"
)

// Config is the users service configuration: the shared variables plus
//
//	TOKEN_TTL    lifetime of issued bearer tokens (default 24h)
//	BCRYPT_COST  password hashing cost (default 10; 4 allowed outside production for fast tests)
type Config struct {
	service.Common
	TokenTTL   time.Duration
	BcryptCost int
}

// LoadConfig reads the configuration and reports every problem at once.
func LoadConfig(env *config.Env) (Config, error) {
	c := Config{
		Common:     service.LoadCommon(env, "users", ":4001"),
		TokenTTL:   env.Duration("TOKEN_TTL", 24*time.Hour),
		BcryptCost: env.Int("BCRYPT_COST", bcrypt.DefaultCost),
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
	if err := env.Err(); err != nil {
		return Config{}, fmt.Errorf("load users config: %w", err)
	}
	return c, nil
}

// String describes the configuration with secrets masked, for logs.
func (c Config) String() string {
	return fmt.Sprintf("%s tokenTTL=%s bcryptCost=%d", c.Common.String(), c.TokenTTL, c.BcryptCost)
}
