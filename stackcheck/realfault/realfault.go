// Package realfault holds the fault tests of `make test-real`: they stop,
// kill and restart the real Kafka broker, Redis and PostgreSQL (under
// FerretDB) while the shop's code is working against them, and check that
// nothing is lost, nothing is applied twice, reads never fail for a cache
// outage and a database outage gives clear errors and then full recovery.
//
// They need the servers of scripts/realstack.sh and run only when
// SHOP_TEST_REAL_CONTROL names the command that controls them (test-real.sh
// sets it); elsewhere they skip, saying why.
package realfault

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"time"
)

// ControlEnv names the variable holding the control command, e.g.
// "bash scripts/realstack.sh"; the tests append "stop kafka" and the like.
const ControlEnv = "SHOP_TEST_REAL_CONTROL"

// Control stops and starts the real servers of one test-real run.
type Control struct {
	argv []string
}

// ControlFromEnv returns the control named by ControlEnv, or false when the
// variable is unset (not a test-real run).
func ControlFromEnv() (Control, bool) {
	f := strings.Fields(os.Getenv(ControlEnv))
	if len(f) == 0 {
		return Control{}, false
	}
	return Control{argv: f}, true
}

// Stop shuts server down gracefully (SIGTERM, or pg_ctl stop -m fast).
func (c Control) Stop(ctx context.Context, server string) error { return c.run(ctx, "stop", server) }

// Kill ends server abruptly (SIGKILL), as a crash would.
func (c Control) Kill(ctx context.Context, server string) error { return c.run(ctx, "kill", server) }

// Start starts server again on its previous address and returns once it
// serves (for Kafka: once a group consumer can read and commit).
func (c Control) Start(ctx context.Context, server string) error { return c.run(ctx, "start", server) }

// Ensure starts server unless it is running; tests register it as cleanup
// so a failure while a server is down does not break the tests after it.
func (c Control) Ensure(ctx context.Context, server string) error {
	return c.run(ctx, "ensure", server)
}

func (c Control) run(ctx context.Context, verb, server string) error {
	ctx, cancel := context.WithTimeout(ctx, 3*time.Minute)
	defer cancel()
	args := append(append([]string{}, c.argv[1:]...), verb, server)
	out, err := exec.CommandContext(ctx, c.argv[0], args...).CombinedOutput()
	if err != nil {
		return fmt.Errorf("%s %s: %w\n%s", verb, server, err, out)
	}
	return nil
}
