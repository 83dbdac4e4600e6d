package harness

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// Options shape a system. Zero values mean one of each.
type Options struct {
	Products, Orders, Routers int
	// Env adds or overrides variables for every subgraph process.
	Env map[string]string
	// RouterEnv adds variables for every router process.
	RouterEnv map[string]string
}

// System is a running shop made of separate processes.
type System struct {
	// Secret is API_SECRET; AdminKey is the admin key (the same, as the seeds describe).
	Secret, AdminKey string
	// DB runs the MongoDB stand-in; Bus runs the Kafka and Redis stand-ins.
	// They are separate processes so the broker can go away while the
	// database stays up.
	DB, Bus  *Infra
	Users    *Service
	Products []*Service
	Orders   []*Service
	Routers  []*Service

	t    testing.TB
	bins *Binaries
	dir  string
}

// Service is one subgraph or router process and how to start it again.
type Service struct {
	Name string
	Addr string
	Proc *Proc
	spec ProcSpec
}

// URL is the service's base URL, e.g. http://127.0.0.1:PORT.
func (s *Service) URL() string { return "http://" + s.Addr }

// GraphQL is the service's GraphQL endpoint.
func (s *Service) GraphQL() string { return s.URL() + "/graphql" }

// Start starts a whole system and registers its teardown with t: every
// process is stopped, even when the test fails, and the logs of every
// process are printed when it did.
func Start(t testing.TB, bins *Binaries, o Options) *System {
	t.Helper()
	o.Products, o.Orders, o.Routers = atLeastOne(o.Products), atLeastOne(o.Orders), atLeastOne(o.Routers)
	dir, err := os.MkdirTemp("", "shop-e2e-")
	if err != nil {
		t.Fatal(err)
	}
	secret := make([]byte, 24)
	if _, err := rand.Read(secret); err != nil {
		t.Fatal(err)
	}
	s := &System{Secret: hex.EncodeToString(secret), t: t, bins: bins, dir: dir}
	s.AdminKey = s.Secret
	t.Cleanup(s.teardown)
	for _, d := range []string{"logs", "run"} {
		if err := os.MkdirAll(filepath.Join(dir, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()

	if s.DB, err = startInfra(ctx, bins.Infra, "infra-db", dir); err != nil {
		t.Fatal(err)
	}
	if s.Bus, err = startInfra(ctx, bins.Infra, "infra-bus", dir); err != nil {
		t.Fatal(err)
	}
	ports := func(n int) []string {
		out := make([]string, n)
		for i := range out {
			out[i] = freeAddr(t)
		}
		return out
	}
	usersAddr, productAddrs, orderAddrs, routerAddrs := ports(1)[0], ports(o.Products), ports(o.Orders), ports(o.Routers)

	env := map[string]string{
		"API_SECRET":    s.Secret,
		"MONGO_URI":     s.DB.Addrs.MongoURI,
		"KAFKA_BROKERS": strings.Join(s.Bus.Addrs.KafkaBrokers, ","),
		"REDIS_ADDR":    s.Bus.Addrs.RedisAddr,
		"LOG_LEVEL":     "info",
		"BCRYPT_COST":   "4",
	}
	for k, v := range o.Env {
		env[k] = v
	}
	svc := func(name, bin, addr string, extra map[string]string, args ...string) *Service {
		m := map[string]string{"LISTEN_ADDR": addr}
		for k, v := range env {
			m[k] = v
		}
		for k, v := range extra {
			m[k] = v
		}
		return s.newService(name, bin, addr, m, args...)
	}
	s.Users = svc("users", bins.Users, usersAddr, nil)
	for i, a := range productAddrs {
		s.Products = append(s.Products, svc(fmt.Sprintf("products-%d", i), bins.Products, a, nil))
	}
	for i, a := range orderAddrs {
		// Orders replicas reserve through different products replicas, so
		// replicas of both really contend on the shared database.
		p := productAddrs[(i+1)%len(productAddrs)]
		s.Orders = append(s.Orders, svc(fmt.Sprintf("orders-%d", i), bins.Orders, a, map[string]string{
			"PRODUCTS_INTERNAL_URL": "http://" + p,
			"USERS_INTERNAL_URL":    "http://" + usersAddr,
		}))
	}
	all := append(append([]*Service{s.Users}, s.Products...), s.Orders...)
	if err := s.startAll(ctx, all); err != nil {
		t.Fatal(err)
	}
	for i, a := range routerAddrs {
		m := map[string]string{
			"ROUTER_SUBGRAPH_URL_USERS":    "http://" + usersAddr + "/graphql",
			"ROUTER_SUBGRAPH_URL_PRODUCTS": "http://" + productAddrs[i%len(productAddrs)] + "/graphql",
			"ROUTER_SUBGRAPH_URL_ORDERS":   "http://" + orderAddrs[i%len(orderAddrs)] + "/graphql",
		}
		for k, v := range o.RouterEnv {
			m[k] = v
		}
		s.Routers = append(s.Routers, s.newService(fmt.Sprintf("router-%d", i), bins.Router, a, m,
			"--supergraph", bins.Supergraph, "--listen", a))
	}
	if err := s.startAll(ctx, s.Routers); err != nil {
		t.Fatal(err)
	}
	return s
}

func atLeastOne(n int) int { return max(n, 1) }

func (s *System) newService(name, bin, addr string, env map[string]string, args ...string) *Service {
	return &Service{Name: name, Addr: addr, spec: ProcSpec{
		Name: name, Bin: bin, Args: args, Env: processEnv(env),
		Dir:     filepath.Join(s.dir, "run"),
		LogPath: filepath.Join(s.dir, "logs", name+".log"),
	}}
}

// processEnv is a minimal environment: nothing from the developer's shell
// (ROUTER_*, MONGO_URI, ...) leaks into the system under test.
func processEnv(m map[string]string) []string {
	out := []string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME"), "TMPDIR=" + os.TempDir()}
	for k, v := range m {
		out = append(out, k+"="+v)
	}
	return out
}

func (s *System) startAll(ctx context.Context, svcs []*Service) error {
	for _, v := range svcs {
		p, err := StartProc(v.spec)
		if err != nil {
			return err
		}
		v.Proc = p
	}
	var wg sync.WaitGroup
	errs := make([]error, len(svcs))
	for i, v := range svcs {
		wg.Go(func() { errs[i] = waitReady(ctx, v) })
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// Restart starts a stopped or killed service again on the same address and
// waits until it is ready.
func (s *System) Restart(ctx context.Context, v *Service) error {
	if v.Proc != nil && v.Proc.Alive() {
		return fmt.Errorf("restart %s: still running", v.Name)
	}
	return s.startAll(ctx, []*Service{v})
}

// Services lists every subgraph and router process.
func (s *System) Services() []*Service {
	out := append([]*Service{s.Users}, s.Products...)
	out = append(out, s.Orders...)
	return append(out, s.Routers...)
}

// Router is the endpoint of the first router.
func (s *System) Router() string { return s.Routers[0].GraphQL() }

// CheckAlive fails the test for every process that exited on its own.
func (s *System) CheckAlive(t testing.TB) {
	t.Helper()
	for _, v := range s.Services() {
		if v.Proc == nil {
			continue
		}
		if crashed, err := v.Proc.Crashed(); crashed {
			t.Errorf("%s exited unexpectedly (%v); log %s:\n%s", v.Name, err, v.Proc.LogPath, v.Proc.Tail(40))
		}
	}
	for _, inf := range []*Infra{s.DB, s.Bus} {
		if inf == nil || inf.Proc == nil {
			continue
		}
		if crashed, err := inf.Proc.Crashed(); crashed {
			t.Errorf("%s exited unexpectedly (%v)", inf.name, err)
		}
	}
}

func (s *System) teardown() {
	s.CheckAlive(s.t)
	var wg sync.WaitGroup
	for _, v := range s.Services() {
		if v.Proc != nil {
			wg.Go(func() { v.Proc.Stop(5 * time.Second) })
		}
	}
	wg.Wait()
	for _, inf := range []*Infra{s.DB, s.Bus} {
		if inf != nil && inf.Proc != nil {
			wg.Go(func() { inf.Proc.Stop(10 * time.Second) })
		}
	}
	wg.Wait()
	if s.t.Failed() {
		s.t.Logf("system logs kept in %s", filepath.Join(s.dir, "logs"))
		for _, v := range s.Services() {
			if v.Proc != nil {
				s.t.Logf("---- %s (%s), last lines:\n%s", v.Name, v.Proc.LogPath, v.Proc.Tail(60))
			}
		}
		for _, inf := range []*Infra{s.DB, s.Bus} {
			if inf != nil && inf.Proc != nil {
				s.t.Logf("---- %s (%s), last lines:\n%s", inf.name, inf.Proc.LogPath, inf.Proc.Tail(30))
			}
		}
		return
	}
	_ = os.RemoveAll(s.dir) //nolint:errcheck // temp dir
}

func waitReady(ctx context.Context, v *Service) error {
	ctx, cancel := context.WithTimeout(ctx, 90*time.Second)
	defer cancel()
	url := v.URL() + "/ready"
	var last string
	for {
		if !v.Proc.Alive() {
			return fmt.Errorf("%s exited before it was ready; log %s:\n%s", v.Name, v.Proc.LogPath, v.Proc.Tail(40))
		}
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		if err != nil {
			return fmt.Errorf("ready %s: %w", v.Name, err)
		}
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			resp.Body.Close() //nolint:errcheck,gosec // status only
			if resp.StatusCode == http.StatusOK {
				return nil
			}
			last = resp.Status
		} else {
			last = err.Error()
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("%s not ready (%s); log %s:\n%s", v.Name, last, v.Proc.LogPath, v.Proc.Tail(40))
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// freeAddr returns a loopback address with a port that was free a moment ago.
func freeAddr(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	if err := ln.Close(); err != nil {
		t.Fatal(err)
	}
	return addr
}
