package stackcheck

import (
	"encoding/base64"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
)

// TestInfrastructureServices checks MongoDB, Kafka and Redis: the official
// images, Kafka in KRaft mode (no ZooKeeper) at the version `make test-real`
// runs the suites against, and a healthcheck on each so dependents wait.
func TestInfrastructureServices(t *testing.T) {
	t.Parallel()
	f := loadCompose(t)
	for _, name := range []string{"mongo", "kafka", "redis"} {
		s := composeService(t, f, name)
		if s.Healthcheck == nil || len(s.Healthcheck.Test) == 0 {
			t.Errorf("%s has no healthcheck: depends_on service_healthy would never pass", name)
		}
	}
	if img := composeService(t, f, "mongo").Image; !strings.HasPrefix(img, "mongo:") {
		t.Errorf("mongo image %q: want the official mongo image", img)
	}
	if img := composeService(t, f, "redis").Image; !strings.HasPrefix(img, "redis:") {
		t.Errorf("redis image %q: want the official redis image", img)
	}
	k := composeService(t, f, "kafka")
	pom := readFile(t, filepath.Join("scripts", "kafka", "pom.xml"))
	v := regexp.MustCompile(`<kafka.version>([^<]+)</kafka.version>`).FindStringSubmatch(pom)
	if v == nil {
		t.Fatal("scripts/kafka/pom.xml has no kafka.version")
	}
	if want := "apache/kafka:" + v[1]; k.Image != want {
		t.Errorf("kafka image %q, want %q: the broker version make test-real proves", k.Image, want)
	}
	env := k.Environment
	roles := strings.Split(env["KAFKA_PROCESS_ROLES"], ",")
	if !slices.Contains(roles, "broker") || !slices.Contains(roles, "controller") {
		t.Errorf("KAFKA_PROCESS_ROLES %q: want broker,controller (KRaft, no ZooKeeper)", env["KAFKA_PROCESS_ROLES"])
	}
	if env["KAFKA_CONTROLLER_QUORUM_VOTERS"] == "" || env["KAFKA_CONTROLLER_LISTENER_NAMES"] == "" {
		t.Error("KRaft needs KAFKA_CONTROLLER_QUORUM_VOTERS and KAFKA_CONTROLLER_LISTENER_NAMES")
	}
	for key := range env {
		if strings.Contains(key, "ZOOKEEPER") {
			t.Errorf("%s: KRaft mode runs without ZooKeeper", key)
		}
	}
	if _, ok := f.Services["zookeeper"]; ok {
		t.Error("a zookeeper service: KRaft mode runs without it")
	}
	if id, err := base64.RawURLEncoding.DecodeString(env["CLUSTER_ID"]); err != nil || len(id) != 16 {
		t.Errorf("CLUSTER_ID %q is not a base64url UUID (what kafka-storage random-uuid prints)", env["CLUSTER_ID"])
	}
	if !slices.ContainsFunc(strings.Split(env["KAFKA_ADVERTISED_LISTENERS"], ","), func(l string) bool {
		return strings.HasPrefix(l, "PLAINTEXT://kafka:")
	}) {
		t.Errorf("KAFKA_ADVERTISED_LISTENERS %q: clients on the compose network reach the broker as kafka:PORT", env["KAFKA_ADVERTISED_LISTENERS"])
	}
}

// TestEnvExample checks the .env contract: .env.example sets every variable
// compose needs without a default, sets nothing compose ignores, and
// without a .env compose refuses to start for want of API_SECRET.
func TestEnvExample(t *testing.T) {
	t.Parallel()
	text := readFile(t, "docker-compose.yml")
	all, required := Referenced(text)
	example := exampleEnv(t)
	for name := range required {
		if strings.TrimSpace(example[name]) == "" {
			t.Errorf("docker-compose.yml needs %s without a default, but .env.example leaves it empty", name)
		}
	}
	var unused []string
	for name := range example {
		if !all[name] {
			unused = append(unused, name)
		}
	}
	sort.Strings(unused)
	if len(unused) > 0 {
		t.Errorf(".env.example sets %v, which docker-compose.yml never uses", unused)
	}
	if !required["API_SECRET"] {
		t.Error("API_SECRET must have no default in docker-compose.yml: every deployment sets its own")
	}
	_, err := LoadCompose(filepath.Join(root, "docker-compose.yml"), map[string]string{})
	if err == nil || !strings.Contains(err.Error(), "API_SECRET") {
		t.Errorf("compose without .env: err = %v, want a clear API_SECRET error", err)
	}
}

// TestDependenciesAreHealthy checks start-up ordering: every dependency is
// waited for until healthy and exists. A one-shot job (no healthcheck,
// restart "no", e.g. router-jwks writing the router's key set) is waited
// for until it completed successfully instead.
func TestDependenciesAreHealthy(t *testing.T) {
	t.Parallel()
	f := loadCompose(t)
	for name, s := range f.Services {
		for dep, cond := range s.DependsOn {
			d, ok := f.Services[dep]
			switch {
			case !ok:
				t.Errorf("%s depends on %s, which is not a service", name, dep)
			case cond == "service_completed_successfully" && (d.Healthcheck != nil || d.Restart != "no"):
				t.Errorf("%s waits for %s to complete, but it is no one-shot job (healthcheck, or restart other than \"no\")", name, dep)
			case cond == "service_completed_successfully":
			case cond != "service_healthy":
				t.Errorf("%s depends on %s with %q, want service_healthy", name, dep, cond)
			case d.Healthcheck == nil:
				t.Errorf("%s waits for %s to be healthy, but it has no healthcheck", name, dep)
			}
		}
	}
}
