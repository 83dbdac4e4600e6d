package kube

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// brokenCase is a mistake made on top of the production overlay, as an
// operator would make it: an overlay of it with a patch or a changed file.
type brokenCase struct {
	name string
	// kustomization is added to the broken overlay's kustomization.yaml,
	// whose resources are the production overlay.
	kustomization string
	// files are written next to that kustomization.yaml.
	files map[string]string
	// want is part of a problem the checks must report.
	want string
}

// jsonPatch returns a kustomization patch of one object.
func jsonPatch(kind, name, ops string) string { return "patches:\n" + patchItem(kind, name, ops) }

// patchItem returns one entry of a kustomization's patches: JSON patch
// operations on one object.
func patchItem(kind, name, ops string) string {
	return "  - target:\n      kind: " + kind + "\n      name: " + name + "\n    patch: |\n" + indent(ops, "      ")
}

// deletion returns a kustomization patch that removes one object.
func deletion(apiVersion, kind, name string) string {
	return "patches:\n  - patch: |\n      $patch: delete\n      apiVersion: " + apiVersion + "\n      kind: " + kind + "\n      metadata:\n        name: " + name + "\n"
}

func indent(s, prefix string) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	for i, l := range lines {
		lines[i] = prefix + l
	}
	return strings.Join(lines, "\n") + "\n"
}

const container = "/spec/template/spec/containers/0"

var brokenCases = []brokenCase{
	// Decoding.
	{name: "misspelt field", want: `unknown field "readinesProbe"`,
		kustomization: jsonPatch("Deployment", "users", "- op: add\n  path: "+container+"/readinesProbe\n  value: {httpGet: {path: /ready, port: http}}")},
	{name: "kind the check does not know", want: "networking.k8s.io/v1 Ingress shop: not a kind the check knows",
		kustomization: "resources:\n  - ingress.yaml\n",
		files:         map[string]string{"ingress.yaml": "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: shop\nspec:\n  defaultBackend:\n    service:\n      name: router\n      port:\n        number: 8080\n"}},

	// Probes, ports and the binaries' configuration.
	{name: "probe path the binary does not serve", want: "deployment products: GET /readyz answers 404",
		kustomization: jsonPatch("Deployment", "products", "- op: replace\n  path: "+container+"/readinessProbe/httpGet/path\n  value: /readyz")},
	{name: "liveness on the readiness endpoint", want: "deployment orders: liveness probe fetches /ready, want /health",
		kustomization: jsonPatch("Deployment", "orders", "- op: replace\n  path: "+container+"/livenessProbe/httpGet/path\n  value: /ready")},
	{name: "variable the service does not read", want: "deployment orders sets MONGO_URL, which its LoadConfig does not read",
		kustomization: jsonPatch("Deployment", "orders", "- op: add\n  path: "+container+"/env/-\n  value: {name: MONGO_URL, value: mongodb://mongo:27017}")},
	{name: "listen port the container does not declare", want: "deployment users: the binary listens on 5000, a port the container does not declare",
		kustomization: jsonPatch("Deployment", "users", "- op: add\n  path: "+container+"/env/-\n  value: {name: LISTEN_ADDR, value: ':5000'}")},
	{name: "development rules in production", want: "deployment users runs with SHOP_ENV=development, want production",
		kustomization: "configMapGenerator:\n  - name: shop-env\n    behavior: merge\n    literals:\n      - SHOP_ENV=development\n"},
	{name: "router flag that does not exist", want: `deployment router: args: flag "port" is not defined by the binary`,
		kustomization: jsonPatch("Deployment", "router", "- op: add\n  path: "+container+"/args/-\n  value: --port=8080")},
	{name: "router variable it does not read", want: "deployment router sets ROUTER_LISTEN_PORT, which the router's configuration does not read",
		kustomization: jsonPatch("Deployment", "router", "- op: add\n  path: "+container+"/env/-\n  value: {name: ROUTER_LISTEN_PORT, value: '8080'}")},
	{name: "router calls a subgraph on the wrong port", want: "deployment router: subgraph users at http://users:4011/graphql: service users has no port 4011",
		kustomization: "configMapGenerator:\n  - name: shop-router\n    behavior: merge\n    files:\n      - router.yaml\n",
		files:         map[string]string{"router.yaml": "subgraphs:\n  users:\n    url: http://users:4011/graphql\n  products:\n    url: http://products:4002/graphql\n  orders:\n    url: http://orders:4003/graphql\n"}},
	{name: "router configuration key that does not exist", want: "field subgrahps not found",
		kustomization: "configMapGenerator:\n  - name: shop-router\n    behavior: merge\n    files:\n      - router.yaml\n",
		files:         map[string]string{"router.yaml": "subgrahps: {}\n"}},
	{name: "stale supergraph", want: "differs from the repository's supergraph.graphql",
		kustomization: "configMapGenerator:\n  - name: shop-router\n    behavior: merge\n    files:\n      - supergraph.graphql\n",
		files:         map[string]string{"supergraph.graphql": "# an older composition\n"}},

	// References.
	{name: "ConfigMap key that does not exist", want: "deployment products: products: CACHE_TTL comes from key CACHE_TTL of ConfigMap shop-env-",
		kustomization: jsonPatch("Deployment", "products", "- op: add\n  path: "+container+"/env/-\n  value: {name: CACHE_TTL, valueFrom: {configMapKeyRef: {name: shop-env, key: CACHE_TTL}}}")},
	{name: "Secret key that is not documented", want: "TOKEN_TTL comes from key TOKEN_TTL of Secret shop-secrets, which is not a documented key",
		kustomization: jsonPatch("Deployment", "users", "- op: add\n  path: "+container+"/env/-\n  value: {name: TOKEN_TTL, valueFrom: {secretKeyRef: {name: shop-secrets, key: TOKEN_TTL}}}")},
	{name: "Secret that is not documented", want: "API_SECRET comes from Secret jwt; the documented Secret is shop-secrets",
		kustomization: jsonPatch("Deployment", "orders", "- op: add\n  path: "+container+"/env/-\n  value: {name: API_SECRET, valueFrom: {secretKeyRef: {name: jwt, key: API_SECRET}}}")},
	{name: "Service forwarding to no container port", want: "service users: port 4001 forwards to 4011",
		kustomization: jsonPatch("Service", "users", "- op: replace\n  path: /spec/ports/0/targetPort\n  value: 4011")},

	// Workload rules.
	{name: "writable root file system", want: "deployment router: container router: readOnlyRootFilesystem must be true",
		kustomization: jsonPatch("Deployment", "router", "- op: replace\n  path: "+container+"/securityContext/readOnlyRootFilesystem\n  value: false")},
	{name: "capabilities kept", want: "deployment users: container users: capabilities must drop ALL",
		kustomization: jsonPatch("Deployment", "users", "- op: replace\n  path: "+container+"/securityContext/capabilities/drop\n  value: [NET_RAW]")},
	{name: "root allowed", want: "deployment orders: securityContext.runAsNonRoot must be true",
		kustomization: jsonPatch("Deployment", "orders", "- op: replace\n  path: /spec/template/spec/securityContext/runAsNonRoot\n  value: false")},
	{name: "no limits", want: "deployment orders: container orders: cpu needs both a request and a limit",
		kustomization: jsonPatch("Deployment", "orders", "- op: remove\n  path: "+container+"/resources/limits")},
	{name: "no preStop drain", want: "deployment users: container users has no preStop drain",
		kustomization: jsonPatch("Deployment", "users", "- op: remove\n  path: "+container+"/lifecycle")},
	{name: "grace period shorter than the drain", want: "deployment products: terminationGracePeriodSeconds 15 is shorter than preStop 10 s",
		kustomization: jsonPatch("Deployment", "products", "- op: replace\n  path: /spec/template/spec/terminationGracePeriodSeconds\n  value: 15")},
	{name: "no PodDisruptionBudget", want: "deployment products: 0 PodDisruptionBudgets select its pods, want 1",
		kustomization: deletion("policy/v1", "PodDisruptionBudget", "products")},
	{name: "PodDisruptionBudget that blocks drains", want: "PodDisruptionBudget router: minAvailable 2 of 2 replicas lets no pod go",
		kustomization: jsonPatch("PodDisruptionBudget", "router", "- op: remove\n  path: /spec/maxUnavailable\n- op: add\n  path: /spec/minAvailable\n  value: 2")},
	{name: "autoscaler aimed at nothing", want: "deployment orders: 0 HorizontalPodAutoscalers scale it, want 1",
		kustomization: jsonPatch("HorizontalPodAutoscaler", "orders", "- op: replace\n  path: /spec/scaleTargetRef/name\n  value: order")},
	{name: "replica count beside the autoscaler", want: "deployment router: sets replicas: 3 although HorizontalPodAutoscaler router owns the count",
		kustomization: jsonPatch("Deployment", "router", "- op: add\n  path: /spec/replicas\n  value: 3")},
	{name: "service account token mounted", want: "deployment users: automountServiceAccountToken must be false",
		kustomization: jsonPatch("Deployment", "users", "- op: replace\n  path: /spec/template/spec/automountServiceAccountToken\n  value: true")},

	// Production promises.
	{name: "one replica in production", want: "horizontalpodautoscaler users: minReplicas 1, want at least 2",
		kustomization: jsonPatch("HorizontalPodAutoscaler", "users", "- op: replace\n  path: /spec/minReplicas\n  value: 1")},
	{name: "unpinned image in production", want: "deployment users: image registry.example.com/shop/users:latest is not pinned",
		kustomization: "images:\n  - name: registry.example.com/shop/users\n    newTag: latest\n"},
	{name: "memory overcommitted in production", want: "deployment router: container router requests 128Mi of memory but may use 512Mi",
		kustomization: jsonPatch("Deployment", "router", "- op: replace\n  path: "+container+"/resources/requests/memory\n  value: 128Mi")},

	// Network policies.
	{name: "policy selecting no pod", want: "networkpolicy users selects no pod",
		kustomization: jsonPatch("NetworkPolicy", "users", "- op: replace\n  path: /spec/podSelector/matchLabels/app.kubernetes.io~1name\n  value: user")},
	{name: "subgraph reachable from outside", want: "clients outside the cluster can reach users:4001",
		kustomization: jsonPatch("NetworkPolicy", "users", "- op: add\n  path: /spec/ingress/-\n  value: {}")},
	{name: "orders cut off from products", want: "orders cannot reach products:4002, which its configuration calls",
		kustomization: deletion("networking.k8s.io/v1", "NetworkPolicy", "orders")},
	{name: "users allowed into products", want: "users can reach products:4002, which nothing in its configuration calls",
		kustomization: "patches:\n" +
			patchItem("NetworkPolicy", "products", "- op: add\n  path: /spec/ingress/0/from/-\n  value: {podSelector: {matchLabels: {app.kubernetes.io/name: users}}}") +
			patchItem("NetworkPolicy", "orders", "- op: add\n  path: /spec/podSelector\n  value: {matchExpressions: [{key: app.kubernetes.io/name, operator: In, values: [orders, users]}]}")},
	{name: "router allowed out to the world", want: "router can reach port 443 outside the cluster",
		kustomization: jsonPatch("NetworkPolicy", "router", "- op: add\n  path: /spec/egress/-\n  value: {to: [{ipBlock: {cidr: 0.0.0.0/0}}]}")},
	{name: "no DNS", want: "orders cannot reach DNS (port 53/UDP)",
		kustomization: deletion("networking.k8s.io/v1", "NetworkPolicy", "allow-dns")},
	{name: "egress to other namespaces", want: "products can reach pods of other namespaces on port 27017",
		kustomization: jsonPatch("NetworkPolicy", "mongodb-kafka", "- op: add\n  path: /spec/egress/0/to/-\n  value: {namespaceSelector: {}}")},
	{name: "Kafka on a port the policies close", want: "users cannot reach port 9094 outside the cluster",
		kustomization: "configMapGenerator:\n  - name: shop-env\n    behavior: merge\n    literals:\n      - KAFKA_BROKERS=kafka.example.internal:9094\n"},
	{name: "named port no pod declares", want: "networkpolicy orders: products declares no port named web",
		kustomization: jsonPatch("NetworkPolicy", "orders", "- op: replace\n  path: /spec/egress/0/ports/0/port\n  value: web")},
}

// TestBrokenManifestsFail feeds mistakes through the same checks as
// TestOverlays: each must be reported.
func TestBrokenManifestsFail(t *testing.T) {
	base, err := filepath.Abs(overlayDir(production.name))
	if err != nil {
		t.Fatal(err)
	}
	ck := newChecker()
	for _, c := range brokenCases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			// kustomize takes bases by relative paths only.
			rel, err := filepath.Rel(dir, base)
			if err != nil {
				t.Fatal(err)
			}
			k := "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n  - " + filepath.ToSlash(rel) + "\n"
			k = mergeResources(k, c.kustomization)
			write(t, filepath.Join(dir, "kustomization.yaml"), k)
			for name, text := range c.files {
				write(t, filepath.Join(dir, name), text)
			}
			got := ck.check(t, dir, production)
			for _, p := range got {
				if strings.Contains(p, c.want) {
					return
				}
			}
			t.Errorf("no problem reports %q; got %d:\n%s", c.want, len(got), strings.Join(got, "\n"))
		})
	}
}

// mergeResources appends extra to a kustomization, folding a resources
// list of extra into the existing one.
func mergeResources(k, extra string) string {
	if rest, ok := strings.CutPrefix(extra, "resources:\n"); ok {
		return k + rest
	}
	return k + extra
}

func write(t *testing.T, path, text string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
}
