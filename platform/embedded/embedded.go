// Package embedded runs in-process stand-ins for the shop's infrastructure:
// FerretDB (the MongoDB wire protocol over SQLite files), kfake (the Kafka
// protocol) and miniredis (RESP). The services talk to them over TCP exactly
// as they talk to MongoDB, Kafka and Redis in production: only the addresses
// differ. `make run` and the test suites use them when no real servers are
// configured.
package embedded

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/FerretDB/FerretDB/ferretdb"
	"github.com/alicebob/miniredis/v2"
	"github.com/twmb/franz-go/pkg/kfake"
)

// newFerretMu serializes ferretdb.New, which writes a package-level
// variable of FerretDB's (its build info); two stacks starting at once
// (a shared test stack and a private one) would otherwise race.
var newFerretMu sync.Mutex

// Options say where the stand-ins keep data and listen. Empty addresses
// (or port 0) pick free ports.
type Options struct {
	// Dir holds FerretDB's SQLite files and Kafka's log segments, so data
	// survives a restart. Required.
	Dir       string
	MongoAddr string
	KafkaAddr string
	RedisAddr string
	// KafkaPartitions is the partition count of topics the broker creates.
	KafkaPartitions int
	// IDIndexPoll is how often the stack looks for new collections to give
	// the index FerretDB's _id look-ups need (see SyncIDIndexes). Zero
	// means 200ms; a negative value turns the polling off, leaving new
	// collections unindexed until SyncIDIndexes runs (tests and benchmarks
	// that measure an unindexed table).
	IDIndexPoll time.Duration
	// PrivateEvery is how often the stack sets the files the Kafka
	// stand-in wrote to 0600 (see private.go). Zero means one second; a
	// negative value leaves it to Start and Close.
	PrivateEvery time.Duration
	Logger       *slog.Logger
}

// Stack is a running set of stand-ins.
type Stack struct {
	MongoURI     string
	KafkaBrokers []string
	RedisAddr    string

	dir    string
	kafka  *kfake.Cluster
	redis  *miniredis.Miniredis
	ids    *idIndexer
	log    *slog.Logger
	cancel context.CancelFunc
	done   chan error
}

// Start starts the three stand-ins and waits until each accepts connections.
func Start(ctx context.Context, o Options) (*Stack, error) {
	if o.Dir == "" {
		return nil, errors.New("embedded: Dir is required")
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.KafkaPartitions <= 0 {
		o.KafkaPartitions = 3
	}
	if o.IDIndexPoll == 0 {
		o.IDIndexPoll = 200 * time.Millisecond
	}
	if o.PrivateEvery == 0 {
		o.PrivateEvery = time.Second
	}
	mongoDir := filepath.Join(o.Dir, "mongo")
	kafkaDir := filepath.Join(o.Dir, "kafka")
	for _, d := range []string{o.Dir, mongoDir, kafkaDir} {
		if err := PrivateDir(d); err != nil {
			return nil, fmt.Errorf("embedded: %w", err)
		}
	}
	// Data an older version left readable is closed before anyone opens it.
	if err := privatize(o.Dir); err != nil {
		return nil, fmt.Errorf("embedded: %w", err)
	}
	modeRef, err := modeReference(mongoDir)
	if err != nil {
		return nil, fmt.Errorf("embedded: %w", err)
	}
	s := &Stack{dir: o.Dir, log: o.Logger, done: make(chan error, 1)}

	// FerretDB binds its listener inside ferretdb.New, so port 0 is
	// resolved there and no other process can take the port in between.
	mongoAddr := orLoopback(o.MongoAddr)
	newFerretMu.Lock()
	fdb, err := ferretdb.New(&ferretdb.Config{
		Listener: ferretdb.ListenerConfig{TCP: mongoAddr},
		Handler:  "sqlite",
		// WAL with synchronous=NORMAL: a commit survives a crash of the
		// process at once and reaches the disk at the next checkpoint, so
		// a power cut can lose the last moments of writes (never corrupt
		// the file). That is the durability of MongoDB's default write
		// concern (journal synced every 100 ms), and it saves an fsync per
		// write call, about a third of the store's time per order.
		// modeof: new database files get the 0600 mode of modeRef.
		SQLiteURL: "file:" + mongoDir + "/?_pragma=synchronous(normal)&modeof=" + url.QueryEscape(modeRef),
		// FerretDB logs every failed command (including the driver's
		// routine probes) as a warning; only its errors are worth showing.
		Logger: slog.New(errorsOnly{o.Logger.Handler()}).With("component", "ferretdb"),
	})
	newFerretMu.Unlock()
	if err != nil {
		return nil, fmt.Errorf("embedded: start ferretdb: %w", err)
	}
	runCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	s.cancel = cancel
	go func() { s.done <- fdb.Run(runCtx) }()
	s.MongoURI = fdb.MongoDBURI()

	kln, err := net.Listen("tcp", orLoopback(o.KafkaAddr))
	if err != nil {
		s.Close()
		return nil, fmt.Errorf("embedded: listen kafka: %w", err)
	}
	kport := kln.Addr().(*net.TCPAddr).Port
	s.kafka, err = kfake.NewCluster(
		kfake.NumBrokers(1),
		kfake.Ports(kport),
		kfake.ListenFn(func(string, string) (net.Listener, error) { return kln, nil }),
		kfake.AllowAutoTopicCreation(),
		kfake.DefaultNumPartitions(o.KafkaPartitions),
		kfake.DataDir(kafkaDir),
		kfake.GroupMinSessionTimeout(time.Second),
	)
	if err != nil {
		_ = kln.Close() //nolint:errcheck // already failing
		s.Close()
		return nil, fmt.Errorf("embedded: start kafka: %w", err)
	}
	s.KafkaBrokers = s.kafka.ListenAddrs()

	s.redis = miniredis.NewMiniRedis()
	if err := s.redis.StartAddr(orLoopback(o.RedisAddr)); err != nil {
		s.Close()
		return nil, fmt.Errorf("embedded: start redis: %w", err)
	}
	s.RedisAddr = s.redis.Addr()
	// miniredis keeps no clock of its own: keys with a TTL only expire when
	// time is advanced, so advance it in real time as a Redis server would.
	go s.tickRedis(runCtx)
	if o.PrivateEvery > 0 {
		go keepPrivate(runCtx, o.Dir, o.PrivateEvery, o.Logger)
	}

	if err := waitTCP(ctx, strings.TrimSuffix(strings.TrimPrefix(s.MongoURI, "mongodb://"), "/"), 15*time.Second); err != nil {
		s.Close()
		return nil, fmt.Errorf("embedded: ferretdb not reachable: %w", err)
	}
	// FerretDB has opened every existing database file by now; index their
	// tables and keep up with the collections services create from here on.
	s.ids = newIDIndexer(mongoDir, o.Logger.With("component", "idindexer"))
	if o.IDIndexPoll > 0 {
		s.ids.start(runCtx, o.IDIndexPoll)
	}
	return s, nil
}

// SyncIDIndexes gives every collection that exists now the index
// FerretDB's look-ups by _id need, and returns once it has (or with what
// failed). The stack already does this in the background within a poll
// interval of a collection's creation, and a query that runs before only
// scans instead of searching; tests and benchmarks call SyncIDIndexes when
// they need the index in place, or when polling is off.
func (s *Stack) SyncIDIndexes(ctx context.Context) error {
	if err := s.ids.pass(ctx, true); err != nil {
		return fmt.Errorf("embedded: index _id look-ups: %w", err)
	}
	return nil
}

func (s *Stack) tickRedis(ctx context.Context) {
	const step = 250 * time.Millisecond
	t := time.NewTicker(step)
	defer t.Stop()
	last := time.Now()
	for {
		select {
		case <-ctx.Done():
			return
		case now := <-t.C:
			s.redis.FastForward(now.Sub(last))
			last = now
		}
	}
}

// StopRedis stops the Redis stand-in (fault tests); RestartRedis brings it back on the same address.
func (s *Stack) StopRedis() { s.redis.Close() }

// RestartRedis restarts the Redis stand-in on its previous address.
func (s *Stack) RestartRedis() error {
	if err := s.redis.Restart(); err != nil {
		return fmt.Errorf("restart redis: %w", err)
	}
	return nil
}

// Close stops every stand-in.
func (s *Stack) Close() {
	if s.ids != nil {
		s.ids.stop()
	}
	if s.redis != nil {
		s.redis.Close()
	}
	if s.kafka != nil {
		s.kafka.Close()
	}
	if s.cancel != nil {
		s.cancel()
		select {
		case <-s.done:
		case <-time.After(10 * time.Second):
		}
	}
	// The brokers' last writes happened in Close; make them private too.
	if s.dir != "" {
		if err := privatize(s.dir); err != nil {
			s.log.Warn("could not restrict data file modes", "err", err)
		}
	}
}

func orLoopback(addr string) string {
	if addr == "" {
		return "127.0.0.1:0"
	}
	return addr
}

func waitTCP(ctx context.Context, addr string, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for {
		c, err := net.DialTimeout("tcp", addr, 500*time.Millisecond)
		if err == nil {
			return c.Close()
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			return err
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// errorsOnly passes only error records to the wrapped handler.
type errorsOnly struct{ slog.Handler }

func (h errorsOnly) Enabled(ctx context.Context, l slog.Level) bool {
	return l >= slog.LevelError && h.Handler.Enabled(ctx, l)
}

func (h errorsOnly) WithAttrs(a []slog.Attr) slog.Handler { return errorsOnly{h.Handler.WithAttrs(a)} }

func (h errorsOnly) WithGroup(n string) slog.Handler { return errorsOnly{h.Handler.WithGroup(n)} }
