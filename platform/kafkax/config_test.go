package kafkax

import (
	"strings"
	"testing"
	"time"

	"github.com/shopsupergraph/shop/platform/config"
)

func TestLoadDefaults(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name     string
		prod     bool
		rf, isr  int
		override map[string]string
	}{
		{name: "development runs on one broker", rf: 1, isr: 1},
		{name: "production survives a broker", prod: true, rf: 3, isr: 2},
		{name: "production on one broker, said so", prod: true, rf: 1, isr: 1,
			override: map[string]string{"KAFKA_REPLICATION_FACTOR": "1", "KAFKA_MIN_INSYNC_REPLICAS": "1"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			env := config.FromMap(c.override)
			got := Load(env, c.prod)
			if err := env.Err(); err != nil {
				t.Fatal(err)
			}
			want := Config{
				Brokers: []string{"localhost:9092"}, Partitions: 3, ReplicationFactor: c.rf, MinInsyncReplicas: c.isr,
				Retry: RetryConfig{DeadLetterAfter: 5, Backoff: 100 * time.Millisecond, BackoffMax: 5 * time.Second},
			}
			if got.String() != want.String() || got.Retry != want.Retry || got.TLS != want.TLS || got.SASL != want.SASL {
				t.Fatalf("Load = %s %+v, want %s %+v", got, got, want, want)
			}
		})
	}
}

func TestLoadProblems(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name string
		prod bool
		vars map[string]string
		want []string // substrings of the error; none = valid
	}{
		{name: "min ISR above replication", vars: map[string]string{"KAFKA_REPLICATION_FACTOR": "2", "KAFKA_MIN_INSYNC_REPLICAS": "3"},
			want: []string{"KAFKA_MIN_INSYNC_REPLICAS must be between 1 and KAFKA_REPLICATION_FACTOR (2), got 3"}},
		{name: "zeros", vars: map[string]string{"KAFKA_PARTITIONS": "0", "KAFKA_REPLICATION_FACTOR": "0", "KAFKA_DLQ_MAX_ATTEMPTS": "0"},
			want: []string{"KAFKA_PARTITIONS must be at least 1", "KAFKA_REPLICATION_FACTOR must be at least 1", "KAFKA_DLQ_MAX_ATTEMPTS must be at least 1"}},
		{name: "no brokers", vars: map[string]string{"KAFKA_BROKERS": " , "}, want: []string{"KAFKA_BROKERS must not be empty"}},
		{name: "backoff", vars: map[string]string{"KAFKA_RETRY_BACKOFF": "2s", "KAFKA_RETRY_BACKOFF_MAX": "1s"}, want: []string{"KAFKA_RETRY_BACKOFF_MAX no shorter"}},
		{name: "TLS files without TLS", vars: map[string]string{"KAFKA_TLS_CA_FILE": "/ca.pem"}, want: []string{"KAFKA_TLS is not true"}},
		{name: "missing CA file", vars: map[string]string{"KAFKA_TLS": "true", "KAFKA_TLS_CA_FILE": "/nonexistent/ca.pem"}, want: []string{"KAFKA_TLS: read CA file"}},
		{name: "cert without key", vars: map[string]string{"KAFKA_TLS": "true", "KAFKA_TLS_CERT_FILE": "/c.pem"}, want: []string{"go together"}},
		{name: "skip verify in development", vars: map[string]string{"KAFKA_TLS": "true", "KAFKA_TLS_INSECURE_SKIP_VERIFY": "true"}},
		{name: "skip verify in production", prod: true, vars: map[string]string{"KAFKA_TLS": "true", "KAFKA_TLS_INSECURE_SKIP_VERIFY": "true"},
			want: []string{"KAFKA_TLS_INSECURE_SKIP_VERIFY is refused in production"}},
		{name: "unknown mechanism", vars: map[string]string{"KAFKA_SASL_MECHANISM": "GSSAPI", "KAFKA_SASL_USERNAME": "u", "KAFKA_SASL_PASSWORD": "p"},
			want: []string{`must be PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512, got "GSSAPI"`}},
		{name: "mechanism without password", vars: map[string]string{"KAFKA_SASL_MECHANISM": "scram-sha-512", "KAFKA_SASL_USERNAME": "u"},
			want: []string{"SCRAM-SHA-512 needs KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD"}},
		{name: "credentials without mechanism", vars: map[string]string{"KAFKA_SASL_USERNAME": "u"}, want: []string{"KAFKA_SASL_MECHANISM is not"}},
		{name: "plain in clear, development", vars: map[string]string{"KAFKA_SASL_MECHANISM": "PLAIN", "KAFKA_SASL_USERNAME": "u", "KAFKA_SASL_PASSWORD": "p"}},
		{name: "plain in clear, production", prod: true, vars: map[string]string{"KAFKA_SASL_MECHANISM": "PLAIN", "KAFKA_SASL_USERNAME": "u", "KAFKA_SASL_PASSWORD": "p"},
			want: []string{"production needs KAFKA_TLS=true"}},
		{name: "scram in production", prod: true, vars: map[string]string{"KAFKA_SASL_MECHANISM": "SCRAM-SHA-256", "KAFKA_SASL_USERNAME": "u", "KAFKA_SASL_PASSWORD": "p"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			env := config.FromMap(c.vars)
			got := Load(env, c.prod)
			err := env.Err()
			if len(c.want) == 0 {
				if err != nil {
					t.Fatalf("valid configuration refused: %v", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("accepted %v: %s", c.vars, got)
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not say %q", err, w)
				}
			}
		})
	}
}

func TestConfigStringHidesPassword(t *testing.T) {
	t.Parallel()
	c := Config{Brokers: []string{"b:9092"}, SASL: SASLConfig{Mechanism: SASLScramSHA512, Username: "shop", Password: "hunter2-secret"}}
	if s := c.String(); strings.Contains(s, "hunter2") || !strings.Contains(s, "SCRAM-SHA-512:shop") {
		t.Fatalf("String() = %s", s)
	}
}
