package harness

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"time"
)

// Proc is one running process with its output captured to a log file.
// Each process leads its own process group so that killing it also kills
// anything it started.
type Proc struct {
	Name    string
	LogPath string

	cmd  *exec.Cmd
	done chan struct{}
	mu   sync.Mutex
	err  error
	// killed is set when the harness itself stopped the process, so an
	// exit is not reported as a crash.
	killed bool
}

// ProcSpec says how to start a process.
type ProcSpec struct {
	Name string
	Bin  string
	Args []string
	Env  []string
	// Dir is the working directory (so no stray .env file is read).
	Dir     string
	LogPath string
	// Stdout, when set, receives the process's standard output instead of
	// the log file (the infra process prints its addresses there).
	Stdout io.Writer
	// OnLine, when set, is called with every line the process writes to
	// its log, in order and from one goroutine at a time. Every line has
	// been passed to it before the process counts as exited.
	OnLine func(line string)
}

// StartProc starts a process. Its output is appended to spec.LogPath, so a
// restarted process keeps one log.
func StartProc(spec ProcSpec) (*Proc, error) {
	logf, err := os.OpenFile(spec.LogPath, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		return nil, fmt.Errorf("start %s: %w", spec.Name, err)
	}
	fmt.Fprintf(logf, "=== %s start %s %s\n", time.Now().Format(time.RFC3339Nano), spec.Bin, strings.Join(spec.Args, " "))
	cmd := exec.Command(spec.Bin, spec.Args...)
	cmd.Env = spec.Env
	cmd.Dir = spec.Dir
	var out io.Writer = logf
	var lines *lineWriter
	if spec.OnLine != nil {
		lines = &lineWriter{w: logf, fn: spec.OnLine}
		out = lines
	}
	// Stdout and Stderr are the same writer, so exec copies both through
	// one pipe and one goroutine.
	cmd.Stderr = out
	cmd.Stdout = out
	if spec.Stdout != nil {
		cmd.Stdout = spec.Stdout
	}
	// A new process group, killed with the test binary if it dies first.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		logf.Close() //nolint:errcheck,gosec // already failing
		return nil, fmt.Errorf("start %s: %w", spec.Name, err)
	}
	p := &Proc{Name: spec.Name, LogPath: spec.LogPath, cmd: cmd, done: make(chan struct{})}
	go func() {
		err := cmd.Wait()
		if lines != nil {
			lines.flush()
		}
		fmt.Fprintf(logf, "=== %s exit: %v\n", time.Now().Format(time.RFC3339Nano), err)
		logf.Close() //nolint:errcheck,gosec // best effort
		p.mu.Lock()
		p.err = err
		p.mu.Unlock()
		close(p.done)
	}()
	return p, nil
}

// Pid returns the process id.
func (p *Proc) Pid() int { return p.cmd.Process.Pid }

// Alive reports whether the process is still running.
func (p *Proc) Alive() bool {
	select {
	case <-p.done:
		return false
	default:
		return true
	}
}

// Crashed reports whether the process exited without the harness asking.
func (p *Proc) Crashed() (bool, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.Alive() || p.killed {
		return false, nil
	}
	return true, p.err
}

// Kill sends SIGKILL to the whole process group and waits for the exit:
// the equivalent of `kill -9`, no chance to clean up.
func (p *Proc) Kill() {
	p.signal(syscall.SIGKILL)
	<-p.done
}

// Stop asks the process to shut down (SIGTERM) and kills it after grace.
func (p *Proc) Stop(grace time.Duration) {
	p.signal(syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(grace):
		p.Kill()
	}
}

// Wait blocks until the process exits or ctx ends.
func (p *Proc) Wait(ctx context.Context) error {
	select {
	case <-p.done:
		p.mu.Lock()
		defer p.mu.Unlock()
		return p.err
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (p *Proc) signal(sig syscall.Signal) {
	p.mu.Lock()
	p.killed = true
	p.mu.Unlock()
	if !p.Alive() {
		return
	}
	if err := syscall.Kill(-p.cmd.Process.Pid, sig); err != nil && !errors.Is(err, syscall.ESRCH) {
		_ = p.cmd.Process.Signal(sig) //nolint:errcheck // the group kill failed; try the leader alone
	}
}

// Tail returns the last n lines of the process's log.
func (p *Proc) Tail(n int) string {
	f, err := os.Open(p.LogPath)
	if err != nil {
		return err.Error()
	}
	defer f.Close() //nolint:errcheck // read only
	var lines []string
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 4<<20)
	for sc.Scan() {
		lines = append(lines, sc.Text())
		if len(lines) > 2*n {
			lines = lines[len(lines)-n:]
		}
	}
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// lineWriter writes everything to w and hands each complete line to fn.
type lineWriter struct {
	w  io.Writer
	fn func(string)

	mu  sync.Mutex
	buf []byte
}

// maxLine bounds the bytes kept of one line; a longer line is passed on cut.
const maxLine = 64 << 10

func (l *lineWriter) Write(p []byte) (int, error) {
	n, err := l.w.Write(p)
	l.mu.Lock()
	defer l.mu.Unlock()
	for len(p) > 0 {
		i := bytes.IndexByte(p, '\n')
		if i < 0 {
			l.buf = append(l.buf, p...)
			if len(l.buf) >= maxLine {
				l.emit()
			}
			break
		}
		l.buf = append(l.buf, p[:i]...)
		l.emit()
		p = p[i+1:]
	}
	return n, err
}

// flush passes on a last line without a newline.
func (l *lineWriter) flush() {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.buf) > 0 {
		l.emit()
	}
}

func (l *lineWriter) emit() {
	line := l.buf
	if len(line) > maxLine {
		line = line[:maxLine]
	}
	l.fn(strings.TrimSuffix(string(line), "\r"))
	l.buf = l.buf[:0]
}
