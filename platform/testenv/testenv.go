// Package testenv gives integration tests the shop's infrastructure: real
// servers when SHOP_TEST_MONGO_URI, SHOP_TEST_KAFKA_BROKERS and
// SHOP_TEST_REDIS_ADDR are set (`make test-real`), otherwise the embedded
// stand-ins, started once per test binary (`make test`). The same test code
// runs against both.
package testenv

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"

	"github.com/shopsupergraph/shop/platform/embedded"
)

// Env holds the addresses a test connects to.
type Env struct {
	MongoURI     string
	KafkaBrokers []string
	RedisAddr    string
	// Real is true when the addresses point at real servers.
	Real bool
	// Stack is the embedded stack (nil against real servers); fault tests
	// use it to stop and restart the stand-ins.
	Stack *embedded.Stack
}

// shared is the one embedded stack of a test binary. Starting FerretDB per
// test would cost seconds each; isolation comes from per-test database
// names, topic prefixes and key prefixes instead.
var shared struct {
	once sync.Once
	env  *Env
	err  error
	dir  string
}

// Get returns the environment, starting the embedded stack on first use.
func Get(t testing.TB) *Env {
	t.Helper()
	if uri := os.Getenv("SHOP_TEST_MONGO_URI"); uri != "" {
		return &Env{
			MongoURI:     uri,
			KafkaBrokers: strings.Split(os.Getenv("SHOP_TEST_KAFKA_BROKERS"), ","),
			RedisAddr:    os.Getenv("SHOP_TEST_REDIS_ADDR"),
			Real:         true,
		}
	}
	shared.once.Do(func() {
		removeStale()
		dir, err := os.MkdirTemp("", fmt.Sprintf("shop-testenv-%d-", os.Getpid()))
		if err != nil {
			shared.err = err
			return
		}
		shared.dir = dir
		st, err := embedded.Start(context.Background(), embedded.Options{Dir: dir})
		if err != nil {
			shared.err = err
			return
		}
		shared.env = &Env{MongoURI: st.MongoURI, KafkaBrokers: st.KafkaBrokers, RedisAddr: st.RedisAddr, Stack: st}
	})
	if shared.err != nil {
		t.Fatalf("start embedded stack: %v", shared.err)
	}
	return shared.env
}

// removeStale deletes the data folders of earlier test binaries that have
// exited: the shared stack lives as long as its process, so nothing else
// can clean up after it.
func removeStale() {
	dirs, err := filepath.Glob(filepath.Join(os.TempDir(), "shop-testenv-*"))
	if err != nil {
		return
	}
	for _, d := range dirs {
		var pid int
		if _, err := fmt.Sscanf(filepath.Base(d), "shop-testenv-%d-", &pid); err != nil || pid <= 0 {
			continue
		}
		if syscall.Kill(pid, 0) == nil {
			continue
		}
		_ = os.RemoveAll(d) //nolint:errcheck // best effort
	}
}

// Fresh starts a private embedded stack for a test that stops or restarts
// infrastructure (fault tests), so it cannot disturb tests sharing Get's.
func Fresh(t testing.TB) *Env {
	t.Helper()
	st, err := embedded.Start(context.Background(), embedded.Options{Dir: t.TempDir()})
	if err != nil {
		t.Fatalf("start embedded stack: %v", err)
	}
	t.Cleanup(st.Close)
	return &Env{MongoURI: st.MongoURI, KafkaBrokers: st.KafkaBrokers, RedisAddr: st.RedisAddr, Stack: st}
}

// Name returns a unique name with the given prefix, for databases, topic
// prefixes and Redis key prefixes of one test.
func Name(prefix string) string {
	var b [6]byte
	_, _ = rand.Read(b[:]) //nolint:errcheck // crypto/rand does not fail
	return prefix + "_" + hex.EncodeToString(b[:])
}
