package realfault

import (
	"context"
	"os"
	"testing"

	"github.com/redis/go-redis/v9"
)

// TestMain silences go-redis's own logger: with Redis stopped on purpose it
// prints a line per failed dial, hundreds per test. Failed requests are what
// the tests check, through the service's responses.
func TestMain(m *testing.M) {
	redis.SetLogger(quietRedis{})
	os.Exit(m.Run())
}

type quietRedis struct{}

func (quietRedis) Printf(context.Context, string, ...any) {}
