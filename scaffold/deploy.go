package scaffold

import (
	"bytes"
	"fmt"
	"go/format"
	"regexp"
	"strings"
)

// The deployment descriptions: docker-compose.yml, the stack check's
// table of binaries, and the Kubernetes manifests. Each registration
// finds the existing subgraphs' entries and adds one like them.

// composeService is the new subgraph's docker-compose service, like
// orders' without the products client.
const composeService = `  {{.Name}}:
    build:
      context: .
      dockerfile: {{.Dir}}/Dockerfile
      args: {VERSION: "${SHOP_VERSION:-devel}", COMMIT: "${SHOP_COMMIT:-unknown}"}
    image: shop/{{.Name}}:${SHOP_IMAGE_TAG:-latest}
    environment:
      <<: *service-env
      LISTEN_ADDR: ":{{.Port}}"
      MONGO_DB: shop_{{.Name}}
    expose: ["{{.Port}}"]
    healthcheck:
      test: ["CMD", "wget", "-q", "-O", "/dev/null", "http://127.0.0.1:{{.Port}}/ready"]
      interval: 5s
      timeout: 3s
      retries: 20
      start_period: 10s
    depends_on:
      <<: *infra-ready
    restart: unless-stopped

`

// registerCompose adds the service before the router's one-shot helper
// (the subgraphs come first in the file), the router's subgraph URL and
// its wait for the new service.
func registerCompose(src string, d data) (string, error) {
	lines := strings.SplitAfter(src, "\n")
	find := func(from int, pred func(string) bool) int {
		for i := from; i < len(lines); i++ {
			if pred(lines[i]) {
				return i
			}
		}
		return -1
	}
	if find(0, func(l string) bool { return l == "  "+d.Name+":\n" }) >= 0 {
		return "", fmt.Errorf("service %s already exists", d.Name)
	}
	router := find(0, func(l string) bool { return l == "  router:\n" })
	if router < 0 {
		return "", fmt.Errorf("no router service")
	}
	routerEnd := find(router+1, startsEntry)
	if routerEnd < 0 {
		routerEnd = len(lines)
	}
	// The router's last subgraph URL and its last healthy dependency.
	lastURL, deps, lastDep := -1, -1, -1
	for i := router; i < routerEnd; i++ {
		switch l := lines[i]; {
		case strings.HasPrefix(l, "      ROUTER_SUBGRAPH_URL_"):
			lastURL = i
		case l == "    depends_on:\n":
			deps = i
		case deps >= 0 && l == "        condition: service_healthy\n":
			lastDep = i
		}
	}
	if lastURL < 0 || lastDep < 0 {
		return "", fmt.Errorf("the router has no ROUTER_SUBGRAPH_URL_* or no healthy depends_on entries to follow")
	}
	// The new service goes before the comment block and the first service
	// after the subgraphs: the router's JWKS helper, or the router.
	before := find(0, func(l string) bool { return l == "  router-jwks:\n" })
	if before < 0 {
		before = router
	}
	for before > 0 && strings.HasPrefix(lines[before-1], "  #") {
		before--
	}
	svc, err := execute(composeService, d)
	if err != nil {
		return "", err
	}
	insert := map[int]string{
		before:      svc,
		lastURL + 1: fmt.Sprintf("      ROUTER_SUBGRAPH_URL_%s: http://%s:%d/graphql\n", d.Upper, d.Name, d.Port),
		lastDep + 1: fmt.Sprintf("      %s:\n        condition: service_healthy\n", d.Name),
	}
	var b strings.Builder
	for i := 0; i <= len(lines); i++ {
		b.WriteString(insert[i])
		if i < len(lines) {
			b.WriteString(lines[i])
		}
	}
	return b.String(), nil
}

// startsEntry reports whether a docker-compose.yml line starts a service
// ("  name:") or a top-level key: the end of the service before it.
func startsEntry(l string) bool {
	t := strings.TrimLeft(l, " ")
	if t == "" || t == "\n" || strings.HasPrefix(t, "#") {
		return false
	}
	indent := len(l) - len(t)
	return indent == 0 || indent == 2
}

// registerStackcheck adds the subgraph to stackcheck.Subgraphs, which the
// compose and Kubernetes checks hold every service to.
func registerStackcheck(src string, d data) (string, error) {
	alias := d.Name + "app"
	row := fmt.Sprintf(`		{
			Name: %[1]q, Dir: %[2]q,
			Load: func(env *config.Env) (service.Common, any, error) {
				c, err := %[3]s.LoadConfig(env)
				return c.Common, c, err
			},
			Start: func(ctx context.Context, env *config.Env) (http.Handler, func(), error) {
				c, err := %[3]s.LoadConfig(env)
				if err != nil {
					return nil, nil, err
				}
				a, err := %[3]s.New(ctx, c, slog.New(slog.DiscardHandler))
				if err != nil {
					return nil, nil, err
				}
				return a.Handler(), func() { _ = a.Close() }, nil
			},
			Redis: func(any) string { return "" },
		},
`, d.Name, d.Dir, alias)
	return addToGoList(src, "func Subgraphs() []Subgraph {", row, alias, d.Module+"/app")
}

// addToGoList inserts row at the end of the slice literal fn returns and
// imports path as alias, then gofmts the file.
func addToGoList(src, fn, row, alias, path string) (string, error) {
	i := strings.Index(src, fn)
	if i < 0 {
		return "", fmt.Errorf("no %q", fn)
	}
	end := strings.Index(src[i:], "\n\t}\n}\n")
	if end < 0 {
		return "", fmt.Errorf("%s does not end with its list literal", strings.TrimSuffix(fn, " {"))
	}
	end += i + 1
	src = src[:end] + row + src[end:]
	imp := strings.Index(src, "import (\n")
	if imp < 0 {
		return "", fmt.Errorf("no import block")
	}
	closing := strings.Index(src[imp:], "\n)\n")
	if closing < 0 {
		return "", fmt.Errorf("unterminated import block")
	}
	closing += imp + 1
	src = src[:closing] + fmt.Sprintf("\t%s %q\n", alias, path) + src[closing:]
	out, err := format.Source([]byte(src))
	if err != nil {
		return "", fmt.Errorf("gofmt: %w", err)
	}
	if !bytes.Contains(out, []byte(alias+".LoadConfig")) {
		return "", fmt.Errorf("the new entry did not land in the list")
	}
	return string(out), nil
}

// registerStackcheckMod requires the new module in stackcheck/go.mod, as
// the other subgraphs are (replaced by the folder).
func registerStackcheckMod(src string, d data) (string, error) {
	reqRE := regexp.MustCompile(`(?m)^\t` + regexp.QuoteMeta(d.Prefix) + `/subgraphs/\w+ (\S+)\n`)
	reqs := reqRE.FindAllStringSubmatchIndex(src, -1)
	repRE := regexp.MustCompile(`(?m)^replace ` + regexp.QuoteMeta(d.Prefix) + `/subgraphs/\w+ => \.\./subgraphs/\w+\n`)
	reps := repRE.FindAllStringIndex(src, -1)
	if reqs == nil || reps == nil {
		return "", fmt.Errorf("no subgraph require and replace lines to follow")
	}
	last := reqs[len(reqs)-1]
	version := src[last[2]:last[3]]
	rep := reps[len(reps)-1][1]
	src = src[:rep] + fmt.Sprintf("\nreplace %s => ../%s\n", d.Module, d.Dir) + src[rep:]
	return src[:last[1]] + fmt.Sprintf("\t%s %s\n", d.Module, version) + src[last[1]:], nil
}

// Kubernetes: the base's resources, network policies and router
// configuration, the overlays' images and patches, the secret example.

func registerKustomization(src string, d data) (string, error) {
	re := regexp.MustCompile(`(?m)^  - \w+/scaling\.yaml\n`)
	all := re.FindAllStringIndex(src, -1)
	if all == nil {
		return "", fmt.Errorf("no <subgraph>/scaling.yaml resource to follow")
	}
	end := all[len(all)-1][1]
	add := fmt.Sprintf("  - %[1]s/deployment.yaml\n  - %[1]s/service.yaml\n  - %[1]s/scaling.yaml\n", d.Name)
	return src[:end] + add + src[end:], nil
}

const networkPolicy = `---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: {{.Name}}
spec:
  podSelector:
    matchLabels:
      app.kubernetes.io/name: {{.Name}}
  policyTypes:
    - Ingress
  ingress:
    - from:
        - podSelector:
            matchLabels:
              app.kubernetes.io/name: router
      ports:
        - port: http
`

// registerNetworkPolicies lets the router reach the subgraph, the
// subgraph reach MongoDB and Kafka, and nothing else.
func registerNetworkPolicies(src string, d data) (string, error) {
	var err error
	for _, policy := range []string{"router", "mongodb-kafka"} {
		if src, err = addToValues(src, policy, d.Name); err != nil {
			return "", err
		}
	}
	// The new policy goes before the managed services' policies.
	at := strings.Index(src, "\n  name: mongodb-kafka\n")
	if at < 0 {
		return "", fmt.Errorf("no mongodb-kafka policy")
	}
	sep := strings.LastIndex(src[:at], "\n---\n")
	if sep < 0 {
		return "", fmt.Errorf("no document separator before the mongodb-kafka policy")
	}
	np, err := execute(networkPolicy, d)
	if err != nil {
		return "", err
	}
	return src[:sep+1] + np + src[sep+1:], nil
}

// addToValues adds name to the app.kubernetes.io/name values list of the
// named policy.
func addToValues(src, policy, name string) (string, error) {
	at := strings.Index(src, "\n  name: "+policy+"\n")
	if at < 0 {
		return "", fmt.Errorf("no %s policy", policy)
	}
	end := strings.Index(src[at+1:], "\n---\n")
	if end < 0 {
		end = len(src)
	} else {
		end += at + 1
	}
	section := src[at:end]
	v := strings.Index(section, "values:\n")
	if v < 0 {
		return "", fmt.Errorf("policy %s has no values list", policy)
	}
	lineStart := strings.LastIndex(section[:v], "\n") + 1
	item := section[lineStart:v] + "  - "
	pos := v + len("values:\n")
	for strings.HasPrefix(section[pos:], item) {
		pos += strings.Index(section[pos:], "\n") + 1
	}
	return src[:at+pos] + item + name + "\n" + src[at+pos:], nil
}

// registerRouterYAML adds the subgraph's Service URL to the router's
// configuration.
func registerRouterYAML(src string, d data) (string, error) {
	re := regexp.MustCompile(`(?m)^  \w+:\n    url: http://\S+\n`)
	all := re.FindAllStringIndex(src, -1)
	if all == nil {
		return "", fmt.Errorf("no subgraphs.<name>.url entries to follow")
	}
	end := all[len(all)-1][1]
	return src[:end] + fmt.Sprintf("  %s:\n    url: http://%s:%d/graphql\n", d.Name, d.Name, d.Port) + src[end:], nil
}

// registerOverlayImages adds the image to an overlay's images, like the
// last subgraph's entry (its newName's registry and its tag).
func registerOverlayImages(src string, d data) (string, error) {
	re := regexp.MustCompile(`(?m)^  - name: shop/(\w+)\n((?:    \w+: .*\n)+)`)
	all := re.FindAllStringSubmatchIndex(src, -1)
	if all == nil {
		return "", fmt.Errorf("no shop/<name> image entries to follow")
	}
	last := all[len(all)-1]
	prev := src[last[2]:last[3]]
	entry := strings.ReplaceAll(src[last[0]:last[1]], "shop/"+prev, "shop/"+d.Name)
	return src[:last[1]] + entry + src[last[1]:], nil
}

// appendLike appends a copy of the last document of an overlay patch
// that names a subgraph, renamed; the patches (scaling, resources) are
// the same for every ordinary subgraph.
func appendLike(src string, d data, like string) (string, error) {
	docs := strings.Split(src, "\n---\n")
	for i := len(docs) - 1; i >= 0; i-- {
		if strings.Contains(docs[i], "\n  name: "+like+"\n") {
			doc := strings.ReplaceAll(docs[i], "name: "+like+"\n", "name: "+d.Name+"\n")
			doc = strings.TrimPrefix(doc, "---\n")
			if !strings.HasSuffix(src, "\n") {
				src += "\n"
			}
			return src + "---\n" + strings.TrimRight(doc, "\n") + "\n", nil
		}
	}
	return "", fmt.Errorf("no document names %s", like)
}

// registerSecretExample adds the subgraph's MongoDB URI to the example
// Secret, after the others.
func registerSecretExample(src string, d data) (string, error) {
	re := regexp.MustCompile(`(?m)^(\w+)_MONGO_URI=mongodb(\S*)\n`)
	all := re.FindAllStringSubmatchIndex(src, -1)
	if all == nil {
		return "", fmt.Errorf("no <NAME>_MONGO_URI to follow")
	}
	last := all[len(all)-1]
	prev := src[last[2]:last[3]]
	line := strings.ReplaceAll(src[last[0]:last[1]], prev+"_MONGO_URI", d.Upper+"_MONGO_URI")
	line = strings.ReplaceAll(line, "shop-"+strings.ToLower(prev), "shop-"+d.Name)
	return src[:last[1]] + line + src[last[1]:], nil
}

// registerKubeReadme keeps the Secret's table in deploy/kubernetes/README.md
// true: its row of MongoDB URIs names the new one.
func registerKubeReadme(src string, d data) (string, error) {
	re := regexp.MustCompile("(?m)^(\\| (?:`\\w+_MONGO_URI`, )*`\\w+_MONGO_URI`)( \\|)")
	m := re.FindStringSubmatchIndex(src)
	if m == nil {
		return "", fmt.Errorf("no row of *_MONGO_URI keys")
	}
	return src[:m[3]] + ", `" + d.Upper + "_MONGO_URI`" + src[m[3]:], nil
}
