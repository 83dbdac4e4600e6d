package stackcheck

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/shopsupergraph/shop/platform/config"
	"github.com/shopsupergraph/shop/platform/service"
	"github.com/shopsupergraph/shop/platform/testenv"
)

func TestEverySubgraphIsChecked(t *testing.T) {
	t.Parallel()
	dirs, err := filepath.Glob(filepath.Join(root, "subgraphs", "*", "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	f := loadCompose(t)
	for _, d := range dirs {
		name := filepath.Base(filepath.Dir(d))
		if _, ok := SubgraphNamed(name); !ok {
			t.Errorf("subgraphs/%s is not in stackcheck.Subgraphs (binaries.go): add its app.LoadConfig and app.New there", name)
		}
		if _, err := os.Stat(filepath.Join(root, "subgraphs", name, "app")); err != nil {
			t.Errorf("subgraphs/%s has no app package (subgraphs/%s/app): the compose check needs its LoadConfig", name, name)
		}
		if _, ok := f.Services[name]; !ok {
			t.Errorf("subgraphs/%s has no service in docker-compose.yml", name)
		}
	}
}

// TestExamplePlaceholdersRefused: `cp .env.example .env && docker compose
// up` without replacing the placeholder secrets must not start a service.
func TestExamplePlaceholdersRefused(t *testing.T) {
	t.Parallel()
	f := loadComposeWith(t, exampleEnv(t))
	for _, sg := range Subgraphs() {
		_, _, err := sg.Load(config.FromMap(composeService(t, f, sg.Name).Environment))
		for _, name := range exampleSecrets {
			if err == nil || !strings.Contains(err.Error(), name+" is a placeholder") {
				t.Errorf("%s with .env.example as is: err = %v, want %s refused as a placeholder", sg.Name, err, name)
			}
		}
	}
}

func TestSubgraphServiceConfig(t *testing.T) {
	t.Parallel()
	f := loadCompose(t)
	dbs := map[string]string{}
	for _, sg := range Subgraphs() {
		s := composeService(t, f, sg.Name)
		common, _, err := sg.Load(config.FromMap(s.Environment))
		if err != nil {
			t.Errorf("%s: the compose environment does not validate: %v", sg.Name, err)
			continue
		}
		if other, dup := dbs[common.MongoDB]; dup {
			t.Errorf("%s and %s share MongoDB database %q: one database per service", sg.Name, other, common.MongoDB)
		}
		dbs[common.MongoDB] = sg.Name
		t.Run(sg.Name, func(t *testing.T) {
			checkEnvIsRead(t, sg, s.Environment)
			checkRequiredSet(t, sg, s.Environment)
			checkSubgraphNetwork(t, f, sg, s, common)
			flags, err := Flags(filepath.Join(root, sg.Main()))
			if err != nil {
				t.Fatal(err)
			}
			for _, p := range CheckArgs(append(slices.Clone(s.Entrypoint), s.Command...), flags) {
				t.Errorf("command: %s", p)
			}
		})
	}
}

// checkEnvIsRead proves every variable compose sets is one LoadConfig
// reads: changing its value to garbage must change the configuration or
// make it invalid. A variable that changes nothing is a typo or dead.
func checkEnvIsRead(t *testing.T, sg Subgraph, env map[string]string) {
	t.Helper()
	unread, err := sg.UnreadEnv(env)
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range unread {
		t.Errorf("compose sets %s for %s, but its LoadConfig does not read it", k, sg.Name)
	}
}

// checkRequiredSet proves every variable LoadConfig requires is set.
func checkRequiredSet(t *testing.T, sg Subgraph, env map[string]string) {
	t.Helper()
	for _, k := range sg.MissingRequired(env) {
		t.Errorf("%s requires %s, which compose does not set", sg.Name, k)
	}
}

// checkSubgraphNetwork checks the service is reachable and scalable as
// compose describes it, and that it waits for what it talks to.
func checkSubgraphNetwork(t *testing.T, f *File, sg Subgraph, s Service, c service.Common) {
	t.Helper()
	listen := port(t, c.ListenAddr)
	if s.ContainerName != "" {
		t.Errorf("container_name %q stops `docker compose up --scale %s=3`", s.ContainerName, sg.Name)
	}
	if len(s.Ports) > 0 {
		t.Errorf("host ports %v stop scaling: the router reaches subgraphs on the compose network", s.Ports)
	}
	if !slices.Contains(s.Expose, listen) {
		t.Errorf("expose %v does not include the listen port %s", s.Expose, listen)
	}
	u := healthURL(t, sg.Name, s)
	if u.Port() != listen || (u.Hostname() != "127.0.0.1" && u.Hostname() != "localhost") {
		t.Errorf("healthcheck %s does not reach the service on its own port %s", u, listen)
	}
	if u.Path != "/health" && u.Path != "/ready" {
		t.Errorf("healthcheck path %s: want /health or /ready", u.Path)
	}
	// Every compose service the environment names must be waited for.
	for k, v := range s.Environment {
		for _, host := range serviceHosts(f, v) {
			if host == sg.Name {
				continue
			}
			if cond := s.DependsOn[host]; cond != "service_healthy" {
				t.Errorf("%s names %s but depends_on has it as %q, want service_healthy", k, host, cond)
			}
			if f.Services[host].Healthcheck == nil {
				t.Errorf("%s depends on %s, which has no healthcheck", sg.Name, host)
			}
			if want, ok := servicePort(t, f, host); ok {
				if p := portIn(v, host); p != "" && p != want {
					t.Errorf("%s=%s: %s listens on %s, not %s", k, v, host, want, p)
				}
			}
		}
	}
	brokers := c.Kafka.Brokers
	kafka := composeService(t, f, "kafka")
	for _, b := range brokers {
		if !slices.Contains(strings.Split(kafka.Environment["KAFKA_ADVERTISED_LISTENERS"], ","), "PLAINTEXT://"+b) {
			t.Errorf("KAFKA_BROKERS %s is not an advertised listener of kafka (%s)", b, kafka.Environment["KAFKA_ADVERTISED_LISTENERS"])
		}
	}
	if h, _ := hostPort(t, strings.TrimPrefix(c.MongoURI, "mongodb://")); !strings.HasPrefix(f.Services[h].Image, "mongo:") {
		t.Errorf("MONGO_URI %s does not point at the mongo service", c.MongoURI)
	}
}

// infraPorts are the ports the infrastructure images listen on.
var infraPorts = map[string]string{"mongo": "27017", "redis": "6379", "redis-limits": "6379"}

// servicePort returns the port a compose service listens on: the listen
// port of a subgraph, the known port of an infrastructure image.
func servicePort(t *testing.T, f *File, name string) (string, bool) {
	t.Helper()
	if sg, ok := SubgraphNamed(name); ok {
		c, _, err := sg.Load(config.FromMap(f.Services[name].Environment))
		if err != nil {
			return "", false
		}
		return port(t, c.ListenAddr), true
	}
	p, ok := infraPorts[name]
	return p, ok
}

// portIn returns the port written after host in v ("" when none is).
func portIn(v, host string) string {
	i := strings.Index(v, host+":")
	if i < 0 {
		return ""
	}
	rest := v[i+len(host)+1:]
	end := strings.IndexFunc(rest, func(r rune) bool { return r < '0' || r > '9' })
	if end < 0 {
		end = len(rest)
	}
	return rest[:end]
}

// serviceHosts returns the compose services a value (URL, host:port or a
// comma-separated list of them) points at.
func serviceHosts(f *File, v string) []string {
	var out []string
	for _, part := range strings.Split(v, ",") {
		part = strings.TrimSpace(part)
		if i := strings.Index(part, "://"); i >= 0 {
			part = part[i+3:]
		}
		host, _, _ := strings.Cut(part, "/")
		host, _, _ = strings.Cut(host, ":")
		if _, ok := f.Services[host]; ok {
			out = append(out, host)
		}
	}
	return out
}

// TestSubgraphHealthEndpoints builds each service from its compose
// configuration (with the infrastructure addresses of the test environment
// in place of the compose hostnames) and fetches the path its healthcheck
// uses: the endpoint must exist and answer 200 while the infrastructure is up.
func TestSubgraphHealthEndpoints(t *testing.T) {
	t.Parallel()
	f := loadCompose(t)
	tenv := testenv.Get(t)
	for _, sg := range Subgraphs() {
		t.Run(sg.Name, func(t *testing.T) {
			s := composeService(t, f, sg.Name)
			env := map[string]string{}
			for k, v := range s.Environment {
				env[k] = v
			}
			name := testenv.Name("stackcheck_" + sg.Name)
			env["MONGO_URI"] = tenv.MongoURI
			env["MONGO_DB"] = name
			env["KAFKA_BROKERS"] = strings.Join(tenv.KafkaBrokers, ",")
			env["KAFKA_TOPIC_PREFIX"] = name + "."
			for _, k := range []string{"REDIS_ADDR", "REDIS_LIMITS_ADDR"} {
				if _, ok := env[k]; ok {
					env[k] = tenv.RedisAddr
				}
			}
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			h, closeApp, err := sg.Start(ctx, config.FromMap(env))
			if err != nil {
				t.Fatalf("start %s with its compose configuration: %v", sg.Name, err)
			}
			defer closeApp()
			srv := httptest.NewServer(h)
			defer srv.Close()
			path := healthURL(t, sg.Name, s).Path
			resp, err := http.Get(srv.URL + path)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("GET %s = %d, want 200", path, resp.StatusCode)
			}
		})
	}
}
