package harness

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// Addrs are the stand-ins' addresses as the infra process prints them.
type Addrs struct {
	MongoURI     string   `json:"mongoURI"`
	KafkaBrokers []string `json:"kafkaBrokers"`
	RedisAddr    string   `json:"redisAddr"`
}

// Infra is one infra process (cmd/infra): FerretDB, the Kafka-protocol
// broker and Redis. Restart brings it back on the same ports and data
// directory.
type Infra struct {
	Proc  *Proc
	Addrs Addrs

	name, bin, dir, logPath string
	args                    []string
}

func startInfra(ctx context.Context, bin, name, root string) (*Infra, error) {
	inf := &Infra{name: name, bin: bin, dir: filepath.Join(root, name), logPath: filepath.Join(root, "logs", name+".log")}
	if err := os.MkdirAll(inf.dir, 0o755); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	inf.args = []string{"--dir", inf.dir}
	if err := inf.start(ctx); err != nil {
		return nil, err
	}
	// Pin the ports it picked so a restart comes back on the same addresses.
	mongo := strings.TrimSuffix(strings.TrimPrefix(inf.Addrs.MongoURI, "mongodb://"), "/")
	inf.args = append(inf.args, "--mongo", mongo, "--kafka", inf.Addrs.KafkaBrokers[0], "--redis", inf.Addrs.RedisAddr)
	return inf, nil
}

func (inf *Infra) start(ctx context.Context) error {
	pr, pw := io.Pipe()
	p, err := StartProc(ProcSpec{Name: inf.name, Bin: inf.bin, Args: inf.args, Env: processEnv(nil), Dir: inf.dir, LogPath: inf.logPath, Stdout: pw})
	if err != nil {
		return err
	}
	inf.Proc = p
	go func() {
		<-p.done
		pw.Close() //nolint:errcheck,gosec // unblocks the reader
	}()
	lines := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(pr)
		if sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
		_, _ = io.Copy(io.Discard, pr) //nolint:errcheck // drain
	}()
	select {
	case line, ok := <-lines:
		if !ok {
			return fmt.Errorf("%s exited before printing its addresses:\n%s", inf.name, p.Tail(30))
		}
		if err := json.Unmarshal([]byte(line), &inf.Addrs); err != nil {
			return fmt.Errorf("%s: addresses %q: %w", inf.name, line, err)
		}
		return nil
	case <-ctx.Done():
		p.Kill()
		return fmt.Errorf("%s: no addresses: %w\n%s", inf.name, ctx.Err(), p.Tail(30))
	}
}

// Stop shuts the infra process down gracefully; Kill is kill -9.
func (inf *Infra) Stop() { inf.Proc.Stop(10 * time.Second) }

// Kill stops the infra process with SIGKILL.
func (inf *Infra) Kill() { inf.Proc.Kill() }

// Restart starts the infra process again on the same ports and data.
func (inf *Infra) Restart(ctx context.Context) error {
	if inf.Proc.Alive() {
		return fmt.Errorf("restart %s: still running", inf.name)
	}
	return inf.start(ctx)
}
