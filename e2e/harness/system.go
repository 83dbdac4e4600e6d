package harness

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// Options shape a system. Zero values mean one of each.
type Options struct {
	Products, Orders, Routers int
	// Env adds or overrides variables for every subgraph process, except
	// LISTEN_ADDR: the harness chooses every address. METRICS_ADDR is
	// 127.0.0.1:0 unless set here (replicas cannot share a fixed port).
	Env map[string]string
	// RouterEnv adds variables for every router process. By default the
	// routers serve metrics on a free port (ROUTER_METRICS_LISTEN), stop
	// without a drain delay (ROUTER_DRAIN_DELAY=0s), as the subgraphs do in
	// development, and verify bearer tokens (ROUTER_JWKS_URL): against
	// API_SECRET as an oct key in a file, or against users' JWK set with
	// UsersJWKS. ROUTER_JWKS_URL= here turns that off.
	RouterEnv map[string]string
	// UsersEnv adds or overrides variables for the users process only,
	// after Env (its token signing key, for instance).
	UsersEnv map[string]string
	// UsersJWKS points the products and orders processes at the users
	// process's JWK set (TOKEN_JWKS_URL), so they verify the asymmetric
	// tokens users signs; they then start once users has reported its
	// address.
	UsersJWKS bool
	// WebhooksEnv adds or overrides variables for the webhooks process
	// only, after Env and the harness's defaults for it (private
	// addresses allowed, short retries), e.g. WEBHOOKS_CA_FILE for a
	// local TLS receiver.
	WebhooksEnv map[string]string
}

// JWKSPath is where the users service publishes its token keys.
const JWKSPath = "/.well-known/jwks.json"

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
	Webhooks *Service
	Routers  []*Service

	t    testing.TB
	bins *Binaries
	dir  string
}

// Service is one subgraph or router process and how to start it again.
type Service struct {
	Name string
	// Addr is where the service listens (host:port). The first start binds
	// port 0 and Addr is the address the process reported; a restart binds
	// the same address again.
	Addr string
	Proc *Proc
	// spec starts the process; listen sets the listen address in it.
	spec   ProcSpec
	listen func(ProcSpec, string) ProcSpec
	// metricsAddr is where the running process serves its metrics, from
	// its `metrics listening addr=...` log line.
	metricsAddr atomic.Pointer[string]
}

// MetricsURL is the URL of the running process's Prometheus metrics, or
// "" when it has not reported a metrics listener.
func (s *Service) MetricsURL() string {
	if a := s.metricsAddr.Load(); a != nil {
		return "http://" + *a + "/metrics"
	}
	return ""
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
	env := map[string]string{
		"API_SECRET":    s.Secret,
		"MONGO_URI":     s.DB.Addrs.MongoURI,
		"KAFKA_BROKERS": strings.Join(s.Bus.Addrs.KafkaBrokers, ","),
		"REDIS_ADDR":    s.Bus.Addrs.RedisAddr,
		"LOG_LEVEL":     "info",
		"BCRYPT_COST":   "4",
		// The routers run on loopback and name the client in
		// X-Forwarded-For; users believes that only from the proxies it
		// is told to trust.
		"TRUSTED_PROXIES": "127.0.0.1,::1",
		// Every client of the suite is on loopback, and the races and
		// journeys register hundreds of users.
		"REGISTER_MAX_PER_ADDR": "0",
		// Replicas of a service run side by side.
		"METRICS_ADDR": "127.0.0.1:0",
	}
	for k, v := range o.Env {
		env[k] = v
	}
	if err := checkLogLevel(env["LOG_LEVEL"]); err != nil {
		t.Fatal(err)
	}
	svc := func(name, bin string, extra map[string]string) *Service {
		m := map[string]string{}
		for k, v := range env {
			m[k] = v
		}
		for k, v := range extra {
			m[k] = v
		}
		return s.newService(name, bin, m, listenEnv)
	}
	// Every process binds port 0 and reports the port it got; a process
	// that needs another's address starts once that one has reported it.
	s.Users = svc("users", bins.Users, o.UsersEnv)
	first := []*Service{s.Users}
	verifier := map[string]string{}
	if o.UsersJWKS {
		if err := s.launchAll(ctx, first); err != nil {
			t.Fatal(err)
		}
		first = nil
		verifier["TOKEN_JWKS_URL"] = s.Users.URL() + JWKSPath
	}
	for i := range o.Products {
		s.Products = append(s.Products, svc(fmt.Sprintf("products-%d", i), bins.Products, verifier))
	}
	if err := s.launchAll(ctx, append(first, s.Products...)); err != nil {
		t.Fatal(err)
	}
	for i := range o.Orders {
		// Orders replicas reserve through different products replicas, so
		// replicas of both really contend on the shared database.
		p := s.Products[(i+1)%len(s.Products)]
		m := map[string]string{
			"PRODUCTS_INTERNAL_URL": p.URL(),
			"USERS_INTERNAL_URL":    s.Users.URL(),
		}
		for k, v := range verifier {
			m[k] = v
		}
		s.Orders = append(s.Orders, svc(fmt.Sprintf("orders-%d", i), bins.Orders, m))
	}
	// Webhooks receivers in tests listen on loopback with their own
	// certificates, and retries are seconds apart, not minutes.
	wh := map[string]string{
		"WEBHOOKS_ALLOW_PRIVATE": "true", "WEBHOOKS_BACKOFF_BASE": "200ms", "WEBHOOKS_BACKOFF_MAX": "1s",
		"WEBHOOKS_POLL_INTERVAL": "100ms", "WEBHOOKS_LEASE_SLOT": "2s",
	}
	for k, v := range verifier {
		wh[k] = v
	}
	for k, v := range o.WebhooksEnv {
		wh[k] = v
	}
	s.Webhooks = svc("webhooks", bins.Webhooks, wh)
	if err := s.launchAll(ctx, append(append([]*Service{}, s.Orders...), s.Webhooks)); err != nil {
		t.Fatal(err)
	}
	if err := awaitReady(ctx, append(append(append([]*Service{s.Users}, s.Products...), s.Orders...), s.Webhooks)); err != nil {
		t.Fatal(err)
	}
	adminKey := env["ADMIN_API_KEY"]
	if adminKey == "" {
		adminKey = env["API_SECRET"]
	}
	routerAuth, err := s.routerAuthentication(env["API_SECRET"], adminKey, o.UsersJWKS)
	if err != nil {
		t.Fatal(err)
	}
	for i := range o.Routers {
		m := map[string]string{
			"ROUTER_SUBGRAPH_URL_USERS":    s.Users.GraphQL(),
			"ROUTER_SUBGRAPH_URL_PRODUCTS": s.Products[i%len(s.Products)].GraphQL(),
			"ROUTER_SUBGRAPH_URL_ORDERS":   s.Orders[i%len(s.Orders)].GraphQL(),
			"ROUTER_SUBGRAPH_URL_WEBHOOKS": s.Webhooks.GraphQL(),
			"ROUTER_METRICS_LISTEN":        "127.0.0.1:0",
			"ROUTER_DRAIN_DELAY":           "0s",
		}
		for k, v := range routerAuth {
			m[k] = v
		}
		for k, v := range o.RouterEnv {
			m[k] = v
		}
		s.Routers = append(s.Routers, s.newService(fmt.Sprintf("router-%d", i), bins.Router, m, listenFlag,
			"--supergraph", bins.Supergraph))
	}
	if err := s.startAll(ctx, s.Routers); err != nil {
		t.Fatal(err)
	}
	for _, r := range s.Routers {
		registerRouter(r.GraphQL())
	}
	return s
}

func atLeastOne(n int) int { return max(n, 1) }

// routerAuthentication returns the variables that make the routers
// verify bearer tokens as make run's router does: HS256 tokens against
// secret written as an oct key to a 0600 JWK set file, or, when users
// signs with a private key, users' published JWK set. The admin key,
// written to a 0600 file, counts at the routers as a principal holding
// every staff scope (ROUTER_API_KEY_FILE).
func (s *System) routerAuthentication(secret, adminKey string, usersJWKS bool) (map[string]string, error) {
	keyPath := filepath.Join(s.dir, "router-api-key")
	if err := os.WriteFile(keyPath, []byte(adminKey), 0o600); err != nil {
		return nil, fmt.Errorf("router api key: %w", err)
	}
	out := map[string]string{
		"ROUTER_API_KEY_FILE":   keyPath,
		"ROUTER_API_KEY_SCOPES": "MANAGE_PRODUCTS,MANAGE_ORDERS,MANAGE_USERS",
	}
	if usersJWKS {
		out["ROUTER_JWKS_URL"] = s.Users.URL() + JWKSPath
		return out, nil
	}
	set, err := json.Marshal(map[string]any{"keys": []any{map[string]any{
		"kty": "oct", "use": "sig", "alg": "HS256", "k": base64.RawURLEncoding.EncodeToString([]byte(secret)),
	}}})
	if err != nil {
		return nil, err
	}
	path := filepath.Join(s.dir, "router-jwks.json")
	if err := os.WriteFile(path, set, 0o600); err != nil {
		return nil, fmt.Errorf("router jwks: %w", err)
	}
	out["ROUTER_JWKS_URL"] = "file://" + path
	out["ROUTER_JWKS_ALGORITHMS"] = "HS256"
	return out, nil
}

func (s *System) newService(name, bin string, env map[string]string, listen func(ProcSpec, string) ProcSpec, args ...string) *Service {
	return &Service{Name: name, listen: listen, spec: ProcSpec{
		Name: name, Bin: bin, Args: args, Env: processEnv(env),
		Dir:     filepath.Join(s.dir, "run"),
		LogPath: filepath.Join(s.dir, "logs", name+".log"),
	}}
}

// listenEnv gives a subgraph its listen address (LISTEN_ADDR).
func listenEnv(spec ProcSpec, addr string) ProcSpec {
	spec.Env = append(slices.Clone(spec.Env), "LISTEN_ADDR="+addr)
	return spec
}

// listenFlag gives the router its listen address (--listen).
func listenFlag(spec ProcSpec, addr string) ProcSpec {
	spec.Args = append(slices.Clone(spec.Args), "--listen", addr)
	return spec
}

// checkLogLevel refuses a LOG_LEVEL that hides the info line in which a
// service reports its address.
func checkLogLevel(level string) error {
	switch strings.ToLower(level) {
	case "warn", "warning", "error":
		return fmt.Errorf("LOG_LEVEL=%s hides the `listening addr=...` line the harness reads each service's address from", level)
	}
	return nil
}

// processEnv is a minimal environment: nothing from the developer's shell
// (ROUTER_*, MONGO_URI, ...) leaks into the system under test. LISTEN_ADDR
// is left out: the harness gives every service its address.
func processEnv(m map[string]string) []string {
	out := []string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME"), "TMPDIR=" + os.TempDir()}
	for k, v := range m {
		if k == "LISTEN_ADDR" {
			continue
		}
		out = append(out, k+"="+v)
	}
	return out
}

// startAll launches the services and waits until every one is ready.
func (s *System) startAll(ctx context.Context, svcs []*Service) error {
	if err := s.launchAll(ctx, svcs); err != nil {
		return err
	}
	return awaitReady(ctx, svcs)
}

// launchAll starts the services at once and waits until each has reported
// the address it listens on.
func (s *System) launchAll(ctx context.Context, svcs []*Service) error {
	var wg sync.WaitGroup
	errs := make([]error, len(svcs))
	for i, v := range svcs {
		wg.Go(func() { errs[i] = v.launch(ctx) })
	}
	wg.Wait()
	return errors.Join(errs...)
}

func awaitReady(ctx context.Context, svcs []*Service) error {
	var wg sync.WaitGroup
	errs := make([]error, len(svcs))
	for i, v := range svcs {
		wg.Go(func() { errs[i] = waitReady(ctx, v) })
	}
	wg.Wait()
	return errors.Join(errs...)
}

// Pinned addresses (restarts) may be taken for a moment by another
// process; binding one is tried this many times, waiting bindBackoff
// before the second attempt and twice as long before each further one.
var (
	bindAttempts = 6
	bindBackoff  = 200 * time.Millisecond
)

// errAddrInUse marks a process that could not bind its pinned address.
var errAddrInUse = errors.New("address already in use")

// launch starts the service's process and waits until it reports the
// address it listens on. The first start binds port 0; later starts pin
// the address the service got then (routers and other services point at
// it), retrying with backoff while something else holds it.
func (v *Service) launch(ctx context.Context) error {
	if v.Addr == "" {
		addr, err := v.launchOnce(ctx, "127.0.0.1:0")
		if err != nil {
			return err
		}
		v.Addr = addr
		return nil
	}
	wait := bindBackoff
	for attempt := 1; ; attempt++ {
		addr, err := v.launchOnce(ctx, v.Addr)
		switch {
		case err == nil && addr != v.Addr:
			return fmt.Errorf("%s listens on %s, want %s", v.Name, addr, v.Addr)
		case err == nil:
			return nil
		case !errors.Is(err, errAddrInUse):
			return err
		case attempt == bindAttempts:
			return fmt.Errorf("%s: %s still in use after %d attempts; log %s:\n%s", v.Name, v.Addr, attempt, v.Proc.LogPath, v.Proc.Tail(20))
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("%s: %s in use: %w", v.Name, v.Addr, ctx.Err())
		case <-time.After(wait):
		}
		wait *= 2
	}
}

// launchOnce starts the process on addr and returns the address it reports.
func (v *Service) launchOnce(ctx context.Context, addr string) (string, error) {
	found := make(chan string, 1)
	var reported, inUse atomic.Bool
	spec := v.listen(v.spec, addr)
	v.metricsAddr.Store(nil)
	spec.OnLine = func(line string) {
		if a, ok := metricsAddr(line); ok {
			v.metricsAddr.Store(&a)
			return
		}
		if reported.Load() {
			return
		}
		if a, ok := listenAddr(line); ok {
			reported.Store(true)
			found <- a
			return
		}
		if strings.Contains(line, "address already in use") {
			inUse.Store(true)
		}
	}
	p, err := StartProc(spec)
	if err != nil {
		return "", err
	}
	v.Proc = p
	ctx, cancel := context.WithTimeout(ctx, 90*time.Second)
	defer cancel()
	select {
	case a := <-found:
		return a, nil
	case <-p.done:
		// Every line was handled before the exit was signalled.
		select {
		case a := <-found:
			return a, nil
		default:
		}
		if inUse.Load() {
			return "", fmt.Errorf("%s could not bind %s: %w", v.Name, addr, errAddrInUse)
		}
		return "", fmt.Errorf("%s exited before it reported its address; log %s:\n%s", v.Name, p.LogPath, p.Tail(40))
	case <-ctx.Done():
		return "", fmt.Errorf("%s did not report its address (a `listening addr=...` line): %w; log %s:\n%s", v.Name, ctx.Err(), p.LogPath, p.Tail(40))
	}
}

// listenLine matches the line platform/httpx.Serve ("listening") and the
// router ("router listening") log with slog's text handler once they
// listen, e.g. `time=... level=INFO msg=listening addr=127.0.0.1:41234`.
var listenLine = regexp.MustCompile(`(?:^|\s)msg=(?:listening|"router listening") addr=(\S+)`)

// listenAddr returns the address in a service's `listening` log line, in
// slog's text or JSON form (LOG_FORMAT=json).
func listenAddr(line string) (string, bool) {
	var addr string
	if strings.HasPrefix(line, "{") {
		var rec struct{ Msg, Addr string }
		if json.Unmarshal([]byte(line), &rec) != nil || (rec.Msg != "listening" && rec.Msg != "router listening") {
			return "", false
		}
		addr = rec.Addr
	} else {
		m := listenLine.FindStringSubmatch(line)
		if m == nil {
			return "", false
		}
		addr = m[1]
		if u, err := strconv.Unquote(addr); err == nil {
			addr = u
		}
	}
	if _, port, err := net.SplitHostPort(addr); err != nil || port == "" || port == "0" {
		return "", false
	}
	return addr, true
}

// metricsLine matches the line a service logs once it serves its metrics
// (platform/telemetry, the router): `msg="metrics listening" addr=...`.
var metricsLine = regexp.MustCompile(`(?:^|\s)msg="metrics listening" addr=(\S+)`)

// metricsAddr returns the address in a `metrics listening` log line, in
// slog's text or JSON form.
func metricsAddr(line string) (string, bool) {
	if !strings.Contains(line, "metrics listening") {
		return "", false
	}
	if strings.HasPrefix(line, "{") {
		var rec struct{ Msg, Addr string }
		if json.Unmarshal([]byte(line), &rec) != nil || rec.Msg != "metrics listening" || rec.Addr == "" {
			return "", false
		}
		return rec.Addr, true
	}
	m := metricsLine.FindStringSubmatch(line)
	if m == nil {
		return "", false
	}
	return m[1], true
}

// Restart starts a stopped or killed service again on the address it had
// and waits until it is ready.
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
	if s.Webhooks != nil {
		out = append(out, s.Webhooks)
	}
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
