package app

import (
	"time"

	"github.com/shopsupergraph/shop/platform/config"
	"github.com/shopsupergraph/shop/platform/service"
)

// Config is the webhooks service's configuration: the variables every
// service shares (platform/service.Common: LISTEN_ADDR, default :4004;
// MONGO_URI; MONGO_DB, default shop_webhooks; API_SECRET or the token
// keys; KAFKA_*; HTTP_* and GRAPHQL_* limits; ...) and the WEBHOOKS_*
// variables of deliveries (docs/configuration.md).
type Config struct {
	service.Common
	// AllowPrivate lets endpoints reach private, loopback and link-local
	// addresses (WEBHOOKS_ALLOW_PRIVATE; refused in production).
	AllowPrivate bool
	// CAFile adds PEM certificates to the roots endpoints' TLS
	// certificates are checked against (WEBHOOKS_CA_FILE).
	CAFile string
	// RetryFor is how long a delivery is retried (WEBHOOKS_RETRY_FOR).
	RetryFor time.Duration
	// BackoffBase and BackoffMax bound the pause between attempts
	// (WEBHOOKS_BACKOFF_BASE, WEBHOOKS_BACKOFF_MAX).
	BackoffBase time.Duration
	BackoffMax  time.Duration
	// AttemptTimeout bounds one POST (WEBHOOKS_ATTEMPT_TIMEOUT).
	AttemptTimeout time.Duration
	// Poll is the pause between dispatch passes (WEBHOOKS_POLL_INTERVAL).
	Poll time.Duration
	// LeaseSlot is the dispatch lease's slot (WEBHOOKS_LEASE_SLOT): a
	// dead dispatcher is replaced within one to two slots.
	LeaseSlot time.Duration
}

// LoadConfig reads the configuration and reports every problem at once.
func LoadConfig(env *config.Env) (Config, error) {
	c := Config{
		Common:         service.LoadCommon(env, "webhooks", ":4004"),
		AllowPrivate:   env.Bool("WEBHOOKS_ALLOW_PRIVATE", false),
		CAFile:         env.String("WEBHOOKS_CA_FILE", ""),
		RetryFor:       env.Duration("WEBHOOKS_RETRY_FOR", 24*time.Hour),
		BackoffBase:    env.Duration("WEBHOOKS_BACKOFF_BASE", 30*time.Second),
		BackoffMax:     env.Duration("WEBHOOKS_BACKOFF_MAX", time.Hour),
		AttemptTimeout: env.Duration("WEBHOOKS_ATTEMPT_TIMEOUT", 10*time.Second),
		Poll:           env.Duration("WEBHOOKS_POLL_INTERVAL", time.Second),
		LeaseSlot:      env.Duration("WEBHOOKS_LEASE_SLOT", 10*time.Second),
	}
	if c.AllowPrivate && c.Production() {
		env.Problem("WEBHOOKS_ALLOW_PRIVATE must not be set in production: endpoints could reach the internal network")
	}
	for _, d := range []struct {
		name string
		v    time.Duration
	}{
		{"WEBHOOKS_RETRY_FOR", c.RetryFor}, {"WEBHOOKS_BACKOFF_BASE", c.BackoffBase}, {"WEBHOOKS_BACKOFF_MAX", c.BackoffMax},
		{"WEBHOOKS_ATTEMPT_TIMEOUT", c.AttemptTimeout}, {"WEBHOOKS_POLL_INTERVAL", c.Poll}, {"WEBHOOKS_LEASE_SLOT", c.LeaseSlot},
	} {
		if d.v <= 0 {
			env.Problem("%s must be positive, got %s", d.name, d.v)
		}
	}
	if c.BackoffMax < c.BackoffBase {
		env.Problem("WEBHOOKS_BACKOFF_MAX (%s) must be at least WEBHOOKS_BACKOFF_BASE (%s)", c.BackoffMax, c.BackoffBase)
	}
	if err := env.Err(); err != nil {
		return Config{}, err
	}
	return c, nil
}
