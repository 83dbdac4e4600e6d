package service

import (
	"strings"
	"testing"
	"time"

	"github.com/shopsupergraph/shop/platform/auth"
	"github.com/shopsupergraph/shop/platform/config"
)

func TestLoadCommonDefaultsAndProblems(t *testing.T) {
	t.Parallel()
	env := config.FromMap(map[string]string{"API_SECRET": "dev"})
	c := LoadCommon(env, "users", ":4001")
	if err := env.Err(); err != nil {
		t.Fatal(err)
	}
	if c.AdminAPIKey != "dev" || c.MongoDB != "shop_users" || c.ServiceToken == "" || c.ServiceToken == "dev" {
		t.Fatalf("defaults: %+v", c)
	}

	env = config.FromMap(map[string]string{"SHOP_ENV": "production", "API_SECRET": "weak", "MONGO_URI": "mongodb://u:pw@h/x"})
	c = LoadCommon(env, "users", ":4001")
	err := env.Err()
	if err == nil || !strings.Contains(err.Error(), "API_SECRET must be at least") || !strings.Contains(err.Error(), "ADMIN_API_KEY") {
		t.Fatalf("production with weak secret: %v", err)
	}
	if s := c.String(); strings.Contains(s, "pw") || strings.Contains(s, "weak") {
		t.Fatalf("String leaks secrets: %s", s)
	}
	env = config.FromMap(map[string]string{})
	LoadCommon(env, "users", ":4001")
	if env.Err() == nil {
		t.Fatal("missing API_SECRET accepted")
	}
}

// TestInternalSecretInProduction: production never derives the internal
// service credential from API_SECRET; it needs a long secret of its own.
func TestInternalSecretInProduction(t *testing.T) {
	t.Parallel()
	const (
		apiSecret = "api-secret-0123456789abcdef0123456789"
		adminKey  = "admin-key-0123456789abcdef0123456789"
		internal  = "internal-secret-0123456789abcdef012345"
	)
	prod := func(extra map[string]string) map[string]string {
		m := map[string]string{"SHOP_ENV": "production", "API_SECRET": apiSecret, "ADMIN_API_KEY": adminKey}
		for k, v := range extra {
			m[k] = v
		}
		return m
	}
	cases := []struct {
		name string
		vars map[string]string
		want string // substring of the error; "" = valid
	}{
		{"missing", prod(nil), "INTERNAL_API_SECRET is required in production"},
		{"too short", prod(map[string]string{"INTERNAL_API_SECRET": "short-internal-secret"}), "INTERNAL_API_SECRET must be at least 32 characters"},
		{"equal to API_SECRET", prod(map[string]string{"INTERNAL_API_SECRET": apiSecret}), "INTERNAL_API_SECRET must differ from API_SECRET"},
		{"equal to the admin key", prod(map[string]string{"INTERNAL_API_SECRET": adminKey}), "INTERNAL_API_SECRET must differ from ADMIN_API_KEY"},
		{"equal to the default admin key", map[string]string{"SHOP_ENV": "production", "API_SECRET": apiSecret, "INTERNAL_API_SECRET": apiSecret}, "must differ from API_SECRET"},
		{"old name", prod(map[string]string{"INTERNAL_API_SECRET": internal, "SERVICE_TOKEN": internal}), "SERVICE_TOKEN is no longer read"},
		{"own secret", prod(map[string]string{"INTERNAL_API_SECRET": internal}), ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			env := config.FromMap(c.vars)
			got := LoadCommon(env, "products", ":4002")
			err := env.Err()
			if c.want == "" {
				if err != nil || got.ServiceToken != internal {
					t.Fatalf("err = %v, token = %q, want %q", err, got.ServiceToken, internal)
				}
				if s := got.String(); strings.Contains(s, internal) {
					t.Fatalf("String leaks the internal secret: %s", s)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("err = %v, want %q", err, c.want)
			}
			if got.ServiceToken == auth.DeriveServiceToken(apiSecret) {
				t.Fatal("production derived the internal secret from API_SECRET")
			}
		})
	}
}

// TestInternalSecretInDevelopment: `make run` works with API_SECRET alone,
// and an explicit secret wins.
func TestInternalSecretInDevelopment(t *testing.T) {
	t.Parallel()
	env := config.FromMap(map[string]string{"API_SECRET": "dev"})
	if c := LoadCommon(env, "orders", ":4003"); env.Err() != nil || c.ServiceToken != auth.DeriveServiceToken("dev") {
		t.Fatalf("derived: %q %v", c.ServiceToken, env.Err())
	}
	env = config.FromMap(map[string]string{"API_SECRET": "dev", "INTERNAL_API_SECRET": "set"})
	if c := LoadCommon(env, "orders", ":4003"); env.Err() != nil || c.ServiceToken != "set" {
		t.Fatalf("explicit: %q %v", c.ServiceToken, env.Err())
	}
}

// TestLoadCommonLimits: the HTTP and GraphQL limits come with the shared
// variables; introspection is off by default in production only.
func TestLoadCommonLimits(t *testing.T) {
	t.Parallel()
	env := config.FromMap(map[string]string{"API_SECRET": "dev", "HTTP_MAX_BODY_BYTES": "4096", "GRAPHQL_MAX_DEPTH": "9"})
	c := LoadCommon(env, "users", ":4001")
	if err := env.Err(); err != nil {
		t.Fatal(err)
	}
	if c.HTTP.MaxBodyBytes != 4096 || c.GraphQL.MaxDepth != 9 || !c.GraphQL.Introspection {
		t.Fatalf("limits: %+v %+v", c.HTTP, c.GraphQL)
	}
	env = config.FromMap(map[string]string{
		"SHOP_ENV": "production", "API_SECRET": "Zq3vN8tLw1xR6pYb0cKd4mHs9uJe2fGa7iTo5yWn", "ADMIN_API_KEY": "hV7mQ2xK9pL4wR8sAe3Tb6Yc",
		"INTERNAL_API_SECRET": "t4Kx9Lm2Qw7Rz1Vb8Nc3Hy6Pj5Fd0Gs2",
	})
	if c := LoadCommon(env, "users", ":4001"); c.GraphQL.Introspection || env.Err() != nil {
		t.Fatalf("production: introspection %t, %v", c.GraphQL.Introspection, env.Err())
	}
	env = config.FromMap(map[string]string{"API_SECRET": "dev", "HTTP_MAX_CONNS": "-5"})
	LoadCommon(env, "users", ":4001")
	if err := env.Err(); err == nil || !strings.Contains(err.Error(), "HTTP_MAX_CONNS") {
		t.Fatalf("negative cap: %v", err)
	}
}

// TestKafkaFollowsShopEnv: topics get three replicas and min.insync.replicas
// 2 in production and one of each in development, unless set.
func TestKafkaFollowsShopEnv(t *testing.T) {
	t.Parallel()
	const secret = "api-secret-0123456789abcdef0123456789"
	prod := map[string]string{"SHOP_ENV": "production", "API_SECRET": secret, "ADMIN_API_KEY": "admin-key-0123456789abcdef",
		"INTERNAL_API_SECRET": "internal-secret-0123456789abcdef012345"}
	dev := map[string]string{"API_SECRET": "dev"}
	for _, c := range []struct {
		name    string
		vars    map[string]string
		rf, isr int
	}{{"production", prod, 3, 2}, {"development", dev, 1, 1}} {
		env := config.FromMap(c.vars)
		got := LoadCommon(env, "orders", ":4003").Kafka
		if err := env.Err(); err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if got.ReplicationFactor != c.rf || got.MinInsyncReplicas != c.isr {
			t.Errorf("%s: replication %d, min ISR %d; want %d, %d", c.name, got.ReplicationFactor, got.MinInsyncReplicas, c.rf, c.isr)
		}
	}
}

// TestLoadCommonShutdownAndTelemetry: development stops at once and
// production drains; each service has a metrics port of its own.
func TestLoadCommonShutdownAndTelemetry(t *testing.T) {
	t.Parallel()
	ports := map[string]bool{}
	for _, svc := range []string{"users", "products", "orders"} {
		env := config.FromMap(map[string]string{"API_SECRET": "dev"})
		c := LoadCommon(env, svc, ":0")
		if err := env.Err(); err != nil {
			t.Fatal(err)
		}
		if c.Shutdown.DrainDelay != 0 || c.Telemetry.ServiceName != svc || c.Telemetry.TracesURL != "" || c.Telemetry.MetricsAddr == "" || ports[c.Telemetry.MetricsAddr] {
			t.Fatalf("%s: shutdown %+v telemetry %+v", svc, c.Shutdown, c.Telemetry)
		}
		ports[c.Telemetry.MetricsAddr] = true
	}
	env := config.FromMap(map[string]string{
		"SHOP_ENV": "production", "API_SECRET": "Zq3vN8tLw1xR6pYb0cKd4mHs9uJe2fGa7iTo5yWn", "ADMIN_API_KEY": "hV7mQ2xK9pL4wR8sAe3Tb6Yc",
		"INTERNAL_API_SECRET": "t4Kx9Lm2Qw7Rz1Vb8Nc3Hy6Pj5Fd0Gs2", "OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4318", "METRICS_ADDR": ":9100",
	})
	c := LoadCommon(env, "users", ":4001")
	if err := env.Err(); err != nil || c.Shutdown.DrainDelay != 5*time.Second || c.Telemetry.TracesURL != "http://collector:4318/v1/traces" || c.Telemetry.MetricsAddr != ":9100" {
		t.Fatalf("production: %+v %+v %v", c.Shutdown, c.Telemetry, err)
	}
	if s := c.String(); !strings.Contains(s, "drainDelay=5s") || !strings.Contains(s, "metrics=:9100") {
		t.Fatalf("String() = %s", s)
	}
}
