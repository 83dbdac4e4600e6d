package embedded_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/segmentio/kafka-go"
	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"

	"github.com/shopsupergraph/shop/platform/embedded"
	"github.com/shopsupergraph/shop/platform/kafkax"
	"github.com/shopsupergraph/shop/platform/mongox"
)

// TestStandInsSpeakTheRealProtocols proves that the embedded stack serves
// the MongoDB wire protocol (with a unique index enforced), the Kafka
// protocol (produce, consume in a group, commit, resume after restart of the
// consumer) and RESP, through the same client libraries production uses.
func TestStandInsSpeakTheRealProtocols(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	st, err := embedded.Start(ctx, embedded.Options{Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()

	t.Run("mongo", func(t *testing.T) {
		client, db, err := mongox.Connect(ctx, st.MongoURI, "probe")
		if err != nil {
			t.Fatal(err)
		}
		defer client.Disconnect(ctx) //nolint:errcheck // test teardown
		c := db.Collection("things")
		if err := mongox.EnsureIndexes(ctx, c, mongo.IndexModel{Keys: bson.D{{Key: "k", Value: 1}}, Options: options.Index().SetUnique(true)}); err != nil {
			t.Fatal(err)
		}
		if _, err := c.InsertOne(ctx, bson.M{"k": "a", "n": 1}); err != nil {
			t.Fatal(err)
		}
		if _, err := c.InsertOne(ctx, bson.M{"k": "a", "n": 2}); !mongox.IsDuplicateKey(err) {
			t.Fatalf("duplicate insert err = %v, want duplicate key", err)
		}
		var got bson.M
		if err := c.FindOne(ctx, bson.M{"k": "a"}).Decode(&got); err != nil || got["n"] != int32(1) {
			t.Fatalf("find = %v, %v", got, err)
		}
	})

	t.Run("kafka", func(t *testing.T) {
		const topic = "probe.events"
		kc, err := kafkax.New(kafkax.Config{Brokers: st.KafkaBrokers, Partitions: 1})
		if err != nil {
			t.Fatal(err)
		}
		defer kc.Close()
		if err := kc.EnsureTopics(ctx, topic); err != nil {
			t.Fatal(err)
		}
		w := kc.Writer()
		defer w.Close()
		for _, v := range []string{"one", "two", "three"} {
			if err := w.WriteMessages(ctx, kafka.Message{Topic: topic, Key: []byte("k"), Value: []byte(v)}); err != nil {
				t.Fatal(err)
			}
		}
		read := func(n int) []string {
			r := kc.Reader(kafkax.ReaderConfig{Topic: topic, GroupID: "probe-group"})
			defer r.Close()
			var out []string
			for len(out) < n {
				m, err := r.FetchMessage(ctx)
				if err != nil {
					t.Fatal(err)
				}
				out = append(out, string(m.Value))
				if err := r.CommitMessages(ctx, m); err != nil {
					t.Fatal(err)
				}
			}
			return out
		}
		if got := read(2); got[0] != "one" || got[1] != "two" {
			t.Fatalf("first read = %v", got)
		}
		// A new consumer in the same group resumes after the committed offset.
		if got := read(1); got[0] != "three" {
			t.Fatalf("resumed read = %v, want three", got)
		}
	})

	t.Run("redis", func(t *testing.T) {
		rc := redis.NewClient(&redis.Options{Addr: st.RedisAddr})
		defer rc.Close()
		if err := rc.Set(ctx, "k", "v", time.Minute).Err(); err != nil {
			t.Fatal(err)
		}
		if v, err := rc.Get(ctx, "k").Result(); err != nil || v != "v" {
			t.Fatalf("get = %q, %v", v, err)
		}
		st.StopRedis()
		if err := rc.Get(ctx, "k").Err(); err == nil || errors.Is(err, redis.Nil) {
			t.Fatalf("get with redis stopped: %v, want a connection error", err)
		}
		if err := st.RestartRedis(); err != nil {
			t.Fatal(err)
		}
		if err := rc.Ping(ctx).Err(); err != nil {
			t.Fatalf("ping after restart: %v", err)
		}
	})
}

// TestRedisKeysExpire: the Redis stand-in expires keys in real time, as a
// real server does (caches and rate-limit windows depend on it).
func TestRedisKeysExpire(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	st, err := embedded.Start(ctx, embedded.Options{Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	rc := redis.NewClient(&redis.Options{Addr: st.RedisAddr})
	defer rc.Close()
	if err := rc.Set(ctx, "short", "v", 300*time.Millisecond).Err(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		err := rc.Get(ctx, "short").Err()
		if errors.Is(err, redis.Nil) {
			return
		}
		if err != nil {
			t.Fatal(err)
		}
		if time.Now().After(deadline) {
			t.Fatal("key with a 300ms TTL still present after 10s")
		}
		time.Sleep(100 * time.Millisecond)
	}
}
