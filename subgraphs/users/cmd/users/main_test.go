package main

import (
	"context"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/shopsupergraph/shop/platform/testenv"
)

// TestRunAlone starts the binary's run function with configuration from
// the environment only, checks it serves, and stops it like SIGTERM would.
func TestRunAlone(t *testing.T) {
	env := testenv.Get(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	t.Chdir(t.TempDir()) // no stray .env file
	t.Setenv("LISTEN_ADDR", addr)
	t.Setenv("API_SECRET", "run-alone-secret-0123456789abcdef")
	t.Setenv("MONGO_URI", env.MongoURI)
	t.Setenv("MONGO_DB", testenv.Name("users"))
	t.Setenv("KAFKA_BROKERS", strings.Join(env.KafkaBrokers, ","))
	t.Setenv("KAFKA_TOPIC_PREFIX", testenv.Name("t")+".")
	t.Setenv("BCRYPT_COST", "4")
	t.Setenv("LOG_LEVEL", "error")

	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- runOn(ctx, ln) }()

	base := "http://" + addr
	deadline := time.Now().Add(20 * time.Second)
	for {
		resp, err := http.Get(base + "/ready")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				break
			}
		}
		if time.Now().After(deadline) {
			cancel()
			t.Fatalf("not ready: %v", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
	resp, err := http.Post(base+"/graphql", "application/json", strings.NewReader(`{"query":"{ _service { sdl } }"}`))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(b), `type User @key(fields: \"_id\")`) {
		t.Fatalf("_service answer: %s", b)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("run: %v", err)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("run did not stop after cancel")
	}
}

func TestRunRejectsBadConfig(t *testing.T) {
	t.Chdir(t.TempDir())
	t.Setenv("API_SECRET", "")
	t.Setenv("BCRYPT_COST", "nope")
	err := run(context.Background())
	if err == nil || !strings.Contains(err.Error(), "API_SECRET") || !strings.Contains(err.Error(), "BCRYPT_COST") {
		t.Fatalf("err = %v", err)
	}
}
