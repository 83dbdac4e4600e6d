package kafkax

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/segmentio/kafka-go/sasl"
	"github.com/segmentio/kafka-go/sasl/plain"
	"github.com/segmentio/kafka-go/sasl/scram"

	"github.com/shopsupergraph/shop/platform/config"
)

// Topic defaults. Production keeps every partition on three brokers and
// refuses a write (acks=all) that fewer than two of them have stored, so
// one broker may fail without losing an acknowledged event or stopping
// writes; development runs a single broker, which allows neither.
const (
	DefaultPartitions            = 3
	ProductionReplicationFactor  = 3
	ProductionMinInsyncReplicas  = 2
	DevelopmentReplicationFactor = 1
	DevelopmentMinInsyncReplicas = 1
)

// Consumer retry defaults (see Consumer).
const (
	DefaultDeadLetterAfter = 5
	DefaultRetryBackoff    = 100 * time.Millisecond
	DefaultRetryBackoffMax = 5 * time.Second
)

// SASL mechanisms the clients speak.
const (
	SASLPlain       = "PLAIN"
	SASLScramSHA256 = "SCRAM-SHA-256"
	SASLScramSHA512 = "SCRAM-SHA-512"
)

// Config is how a service reaches Kafka, how it creates its topics and how
// its consumers retry. The zero value of a field means its development
// default, so Config{Brokers: b} is a single-broker development setup.
type Config struct {
	Brokers []string
	// Partitions of every topic the service creates.
	Partitions int
	// ReplicationFactor is how many brokers keep each partition.
	ReplicationFactor int
	// MinInsyncReplicas is the topics' min.insync.replicas: how many
	// replicas must have a write before it is acknowledged (writers ask
	// for acks from all in-sync replicas).
	MinInsyncReplicas int
	TLS               TLSConfig
	SASL              SASLConfig
	Retry             RetryConfig
}

// TLSConfig encrypts every connection to the brokers when Enabled.
type TLSConfig struct {
	Enabled bool
	// CAFile holds the PEM certificates that may sign the brokers'
	// certificates; empty trusts the system's roots.
	CAFile string
	// CertFile and KeyFile are the client's PEM certificate and key, for
	// brokers that authenticate clients by certificate (both or neither).
	CertFile, KeyFile string
	// InsecureSkipVerify accepts any broker certificate (development only).
	InsecureSkipVerify bool
}

// SASLConfig authenticates every connection to the brokers when Mechanism
// is set (PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512).
type SASLConfig struct {
	Mechanism string
	Username  string
	Password  string
}

// RetryConfig says how a Consumer retries an event its handler failed.
type RetryConfig struct {
	// DeadLetterAfter is how many times a poison failure (see
	// events.ErrPoison) is tried before the event goes to the dead-letter
	// topic; other failures are retried until they pass.
	DeadLetterAfter int
	// Backoff is the pause after the first failure, doubled after each
	// further one up to BackoffMax.
	Backoff    time.Duration
	BackoffMax time.Duration
}

// Load reads the Kafka variables, recording every problem on env:
//
//	KAFKA_BROKERS              comma-separated brokers (default localhost:9092)
//	KAFKA_PARTITIONS           partitions of created topics (default 3)
//	KAFKA_REPLICATION_FACTOR   replicas of each partition (production 3, development 1)
//	KAFKA_MIN_INSYNC_REPLICAS  topics' min.insync.replicas (production 2, development 1)
//	KAFKA_TLS                  true to use TLS (default false)
//	KAFKA_TLS_CA_FILE, KAFKA_TLS_CERT_FILE, KAFKA_TLS_KEY_FILE  PEM files (optional)
//	KAFKA_TLS_INSECURE_SKIP_VERIFY  accept any broker certificate (default false; refused in production)
//	KAFKA_SASL_MECHANISM       PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512 (default none)
//	KAFKA_SASL_USERNAME, KAFKA_SASL_PASSWORD  SASL credentials
//	KAFKA_DLQ_MAX_ATTEMPTS     tries of a poison event before it is dead-lettered (default 5)
//	KAFKA_RETRY_BACKOFF, KAFKA_RETRY_BACKOFF_MAX  consumer retry pauses (default 100ms, 5s)
func Load(env *config.Env, production bool) Config {
	rf, isr := DevelopmentReplicationFactor, DevelopmentMinInsyncReplicas
	if production {
		rf, isr = ProductionReplicationFactor, ProductionMinInsyncReplicas
	}
	c := Config{
		Brokers:           env.List("KAFKA_BROKERS", []string{"localhost:9092"}),
		Partitions:        env.Int("KAFKA_PARTITIONS", DefaultPartitions),
		ReplicationFactor: env.Int("KAFKA_REPLICATION_FACTOR", rf),
		MinInsyncReplicas: env.Int("KAFKA_MIN_INSYNC_REPLICAS", isr),
		TLS: TLSConfig{
			Enabled:            env.Bool("KAFKA_TLS", false),
			CAFile:             env.String("KAFKA_TLS_CA_FILE", ""),
			CertFile:           env.String("KAFKA_TLS_CERT_FILE", ""),
			KeyFile:            env.String("KAFKA_TLS_KEY_FILE", ""),
			InsecureSkipVerify: env.Bool("KAFKA_TLS_INSECURE_SKIP_VERIFY", false),
		},
		SASL: SASLConfig{
			Mechanism: strings.ToUpper(env.String("KAFKA_SASL_MECHANISM", "")),
			Username:  env.String("KAFKA_SASL_USERNAME", ""),
			Password:  env.String("KAFKA_SASL_PASSWORD", ""),
		},
		Retry: RetryConfig{
			DeadLetterAfter: env.Int("KAFKA_DLQ_MAX_ATTEMPTS", DefaultDeadLetterAfter),
			Backoff:         env.Duration("KAFKA_RETRY_BACKOFF", DefaultRetryBackoff),
			BackoffMax:      env.Duration("KAFKA_RETRY_BACKOFF_MAX", DefaultRetryBackoffMax),
		},
	}
	for _, err := range c.problems(production) {
		env.Problem("%v", err)
	}
	return c
}

// problems lists every inconsistency, naming the variables to fix.
func (c Config) problems(production bool) []error {
	var errs []error
	add := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	if len(c.Brokers) == 0 {
		add("KAFKA_BROKERS must not be empty")
	}
	if c.Partitions < 1 {
		add("KAFKA_PARTITIONS must be at least 1, got %d", c.Partitions)
	}
	if c.ReplicationFactor < 1 {
		add("KAFKA_REPLICATION_FACTOR must be at least 1, got %d", c.ReplicationFactor)
	}
	if c.MinInsyncReplicas < 1 || c.MinInsyncReplicas > c.ReplicationFactor {
		add("KAFKA_MIN_INSYNC_REPLICAS must be between 1 and KAFKA_REPLICATION_FACTOR (%d), got %d", c.ReplicationFactor, c.MinInsyncReplicas)
	}
	t := c.TLS
	if !t.Enabled && (t.CAFile != "" || t.CertFile != "" || t.KeyFile != "" || t.InsecureSkipVerify) {
		add("KAFKA_TLS_* is set but KAFKA_TLS is not true")
	}
	if (t.CertFile == "") != (t.KeyFile == "") {
		add("KAFKA_TLS_CERT_FILE and KAFKA_TLS_KEY_FILE go together")
	}
	if production && t.InsecureSkipVerify {
		add("KAFKA_TLS_INSECURE_SKIP_VERIFY is refused in production: give the brokers' CA in KAFKA_TLS_CA_FILE")
	}
	if t.Enabled && (t.CertFile == "") == (t.KeyFile == "") {
		if _, err := t.build(); err != nil {
			add("KAFKA_TLS: %v", err)
		}
	}
	s := c.SASL
	switch s.Mechanism {
	case "":
		if s.Username != "" || s.Password != "" {
			add("KAFKA_SASL_USERNAME or KAFKA_SASL_PASSWORD is set but KAFKA_SASL_MECHANISM is not")
		}
	case SASLPlain, SASLScramSHA256, SASLScramSHA512:
		if s.Username == "" || s.Password == "" {
			add("KAFKA_SASL_MECHANISM %s needs KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD", s.Mechanism)
		}
		// PLAIN sends the password as it is: only inside TLS.
		if production && s.Mechanism == SASLPlain && !t.Enabled {
			add("KAFKA_SASL_MECHANISM PLAIN sends the password in clear: production needs KAFKA_TLS=true with it")
		}
	default:
		add("KAFKA_SASL_MECHANISM must be %s, %s or %s, got %q", SASLPlain, SASLScramSHA256, SASLScramSHA512, s.Mechanism)
	}
	r := c.Retry
	if r.DeadLetterAfter < 1 {
		add("KAFKA_DLQ_MAX_ATTEMPTS must be at least 1, got %d", r.DeadLetterAfter)
	}
	if r.Backoff <= 0 || r.BackoffMax < r.Backoff {
		add("KAFKA_RETRY_BACKOFF must be positive and KAFKA_RETRY_BACKOFF_MAX no shorter, got %s and %s", r.Backoff, r.BackoffMax)
	}
	return errs
}

// withDefaults fills zero fields with the development defaults.
func (c Config) withDefaults() Config {
	if c.Partitions <= 0 {
		c.Partitions = DefaultPartitions
	}
	if c.ReplicationFactor <= 0 {
		c.ReplicationFactor = DevelopmentReplicationFactor
	}
	if c.MinInsyncReplicas <= 0 {
		c.MinInsyncReplicas = DevelopmentMinInsyncReplicas
	}
	if c.Retry.DeadLetterAfter <= 0 {
		c.Retry.DeadLetterAfter = DefaultDeadLetterAfter
	}
	if c.Retry.Backoff <= 0 {
		c.Retry.Backoff = DefaultRetryBackoff
	}
	if c.Retry.BackoffMax < c.Retry.Backoff {
		c.Retry.BackoffMax = max(DefaultRetryBackoffMax, c.Retry.Backoff)
	}
	return c
}

// String describes the configuration for logs, without the password.
func (c Config) String() string {
	auth := "none"
	if c.SASL.Mechanism != "" {
		auth = c.SASL.Mechanism + ":" + c.SASL.Username
	}
	return fmt.Sprintf("brokers=%v partitions=%d replication=%d minISR=%d tls=%t sasl=%s dlqAfter=%d",
		c.Brokers, c.Partitions, c.ReplicationFactor, c.MinInsyncReplicas, c.TLS.Enabled, auth, c.Retry.DeadLetterAfter)
}

// build returns the TLS client configuration, or nil when TLS is off.
func (t TLSConfig) build() (*tls.Config, error) {
	if !t.Enabled {
		return nil, nil
	}
	// InsecureSkipVerify is off unless asked for, and Load refuses it in production.
	c := &tls.Config{MinVersion: tls.VersionTLS12, InsecureSkipVerify: t.InsecureSkipVerify}
	if t.CAFile != "" {
		pem, err := os.ReadFile(t.CAFile)
		if err != nil {
			return nil, fmt.Errorf("read CA file: %w", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("CA file %s holds no PEM certificate", t.CAFile)
		}
		c.RootCAs = pool
	}
	if t.CertFile != "" || t.KeyFile != "" {
		cert, err := tls.LoadX509KeyPair(t.CertFile, t.KeyFile)
		if err != nil {
			return nil, fmt.Errorf("load client certificate: %w", err)
		}
		c.Certificates = []tls.Certificate{cert}
	}
	return c, nil
}

// build returns the SASL mechanism, or nil when SASL is off.
func (s SASLConfig) build() (sasl.Mechanism, error) {
	switch s.Mechanism {
	case "":
		return nil, nil
	case SASLPlain:
		return plain.Mechanism{Username: s.Username, Password: s.Password}, nil
	case SASLScramSHA256, SASLScramSHA512:
		algo := scram.SHA256
		if s.Mechanism == SASLScramSHA512 {
			algo = scram.SHA512
		}
		m, err := scram.Mechanism(algo, s.Username, s.Password)
		if err != nil {
			return nil, fmt.Errorf("sasl %s: %w", s.Mechanism, err)
		}
		return m, nil
	default:
		return nil, errors.New("unknown SASL mechanism " + s.Mechanism)
	}
}
