package app_test

import (
	"strings"
	"testing"

	"github.com/shopsupergraph/shop/platform/config"
	"github.com/shopsupergraph/shop/subgraphs/webhooks/app"
)

// TestLoadConfigRefuses: every problem of the WEBHOOKS_* variables is
// reported at once, and private addresses are never allowed in production.
func TestLoadConfigRefuses(t *testing.T) {
	t.Parallel()
	_, err := app.LoadConfig(config.FromMap(map[string]string{
		"API_SECRET": secret, "SHOP_ENV": "production", "WEBHOOKS_ALLOW_PRIVATE": "true",
		"WEBHOOKS_RETRY_FOR": "-1s", "WEBHOOKS_BACKOFF_BASE": "2m", "WEBHOOKS_BACKOFF_MAX": "1m",
	}))
	if err == nil {
		t.Fatal("LoadConfig accepted the problems")
	}
	for _, want := range []string{"WEBHOOKS_ALLOW_PRIVATE", "WEBHOOKS_RETRY_FOR must be positive", "WEBHOOKS_BACKOFF_MAX (1m0s) must be at least"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q:\n%v", want, err)
		}
	}
	cfg, err := app.LoadConfig(config.FromMap(map[string]string{"API_SECRET": secret}))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.AllowPrivate || cfg.RetryFor.Hours() != 24 || cfg.ListenAddr != ":4004" {
		t.Fatalf("defaults: %+v", cfg)
	}
}
