package kube

import (
	"context"
	"maps"
	"net/http"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"

	"github.com/shopsupergraph/shop/platform/config"
	"github.com/shopsupergraph/shop/platform/service"
	"github.com/shopsupergraph/shop/platform/testenv"
	"github.com/shopsupergraph/shop/stackcheck"
)

// checkSubgraphs holds each subgraph's Deployment against its binary and
// records the traffic its configuration needs and its listen port.
func (ck *checker) checkSubgraphs(t *testing.T, o *Objects, ov overlay, secret Secret, flows *Flows, listen map[string]int32) []string {
	t.Helper()
	var p problems
	var first *service.Common
	mongoKeys := map[string]string{}
	for _, sg := range stackcheck.Subgraphs() {
		d, c := single(&p, o, sg.Name)
		if d == nil {
			continue
		}
		where := "deployment " + sg.Name
		imageEnv, err := stackcheck.ImageEnv(root, filepath.Join(sg.Dir, "Dockerfile"))
		if err != nil {
			t.Fatal(err)
		}
		env, _ := o.ContainerEnv(c, imageEnv, secret) // CheckReferences reports what does not resolve
		common, cfg, err := sg.Load(config.FromMap(env))
		if err != nil {
			p.addf("%s: the configuration does not validate: %v", where, err)
			continue
		}
		if common.Env != ov.shopEnv {
			p.addf("%s runs with SHOP_ENV=%s, want %s", where, common.Env, ov.shopEnv)
		}
		unread, err := sg.UnreadEnv(env)
		if err != nil {
			t.Fatal(err)
		}
		for _, k := range unread {
			p.addf("%s sets %s, which its LoadConfig does not read", where, k)
		}
		for _, k := range sg.MissingRequired(env) {
			p.addf("%s requires %s, which the Deployment does not set", where, k)
		}
		flags, err := stackcheck.Flags(filepath.Join(root, sg.Main()))
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range stackcheck.CheckArgs(c.Args, flags) {
			p.addf("%s: args: %s", where, s)
		}
		port := listenPort(&p, where, common.ListenAddr)
		listen[sg.Name] = port
		checkProbes(&p, where, c, port)
		checkShutdown(&p, where, d, c, common.Shutdown.DrainDelay+common.Shutdown.Timeout)
		p = append(p, ck.probeAnswers(t, where, sg, env, c)...)

		// Services share their secrets and their events.
		if first == nil {
			first = &common
		} else {
			for _, f := range []struct {
				what string
				a, b any
			}{
				{"API_SECRET", first.APISecret, common.APISecret}, {"ADMIN_API_KEY", first.AdminAPIKey, common.AdminAPIKey},
				{"INTERNAL_API_SECRET", first.ServiceToken, common.ServiceToken},
				{"KAFKA_BROKERS", first.Kafka.Brokers, common.Kafka.Brokers}, {"KAFKA_TOPIC_PREFIX", first.TopicPrefix, common.TopicPrefix},
			} {
				if !reflect.DeepEqual(f.a, f.b) {
					p.addf("%s gets another %s than %s: every service must share it", where, f.what, first.Service)
				}
			}
		}
		// One database user per service: each reads its own URI key.
		for _, e := range c.Env {
			if e.Name == "MONGO_URI" && e.ValueFrom != nil && e.ValueFrom.SecretKeyRef != nil {
				key := e.ValueFrom.SecretKeyRef.Key
				if other, dup := mongoKeys[key]; dup {
					p.addf("%s and %s read MONGO_URI from the same Secret key %s: give each service its own", other, sg.Name, key)
				}
				mongoKeys[key] = sg.Name
			}
		}

		// Calls to other Services of the namespace, and to the world.
		for _, e := range c.Env {
			for _, hp := range addresses(env[e.Name]) {
				target, cp, ok, err := o.ServiceTarget(hp.host, hp.port)
				switch {
				case err != nil:
					p.addf("%s: %s=%s: %v", where, e.Name, env[e.Name], err)
				case ok:
					flows.Calls = append(flows.Calls, Call{From: sg.Name, To: target.Name, Port: cp})
				}
			}
		}
		var external []int32
		external = append(external, mongoPorts(common.MongoURI)...)
		for _, b := range common.Kafka.Brokers {
			external = append(external, addressPort(b, 0))
		}
		if r := sg.Redis(cfg); r != "" {
			external = append(external, addressPort(r, 6379))
		}
		external = append(external, sg.Internet...)
		flows.External[sg.Name] = external
	}
	return p
}

// probeAnswers starts the subgraph with the Deployment's environment (the
// test's infrastructure in place of the managed services) and fetches
// every probe path from its real handler.
func (ck *checker) probeAnswers(t *testing.T, where string, sg stackcheck.Subgraph, env map[string]string, c *corev1.Container) []string {
	t.Helper()
	key := where + "\x00" + strings.Join(probePaths(c), ",")
	for _, k := range slices.Sorted(maps.Keys(env)) {
		key += "\x00" + k + "=" + env[k]
	}
	if p, ok := ck.probed[key]; ok {
		return p
	}
	p := ck.startAndProbe(t, where, sg, env, c)
	ck.probed[key] = p
	return p
}

func (ck *checker) startAndProbe(t *testing.T, where string, sg stackcheck.Subgraph, env map[string]string, c *corev1.Container) []string {
	t.Helper()
	var p problems
	tenv := testenv.Get(t)
	local := map[string]string{}
	for k, v := range env {
		local[k] = v
	}
	name := testenv.Name("kube_" + sg.Name)
	local["MONGO_URI"] = tenv.MongoURI
	local["MONGO_DB"] = name
	local["KAFKA_BROKERS"] = strings.Join(tenv.KafkaBrokers, ",")
	local["KAFKA_TOPIC_PREFIX"] = name + "."
	if local["REDIS_ADDR"] != "" {
		local["REDIS_ADDR"] = tenv.RedisAddr
		local["REDIS_KEY_PREFIX"] = name + ":"
		delete(local, "REDIS_PASSWORD")
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	h, closeApp, err := sg.Start(ctx, config.FromMap(local))
	if err != nil {
		p.addf("%s: the service does not start with its configuration: %v", where, err)
		return p
	}
	defer closeApp()
	for _, path := range probePaths(c) {
		if code := get(h, path); code != http.StatusOK {
			p.addf("%s: GET %s answers %d, want 200", where, path, code)
		}
	}
	return p
}
