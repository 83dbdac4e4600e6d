package groupcommit_test

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"

	"github.com/shopsupergraph/shop/platform/groupcommit"
	"github.com/shopsupergraph/shop/platform/mongox"
	"github.com/shopsupergraph/shop/platform/testenv"
)

// TestEachCallerGetsItsOwnOutcome: 200 concurrent inserts, 50 of which
// reuse an _id taken earlier and 20 of which collide with each other on a
// unique secondary index. Each caller gets nil or a duplicate-key error of
// its own, the collection holds exactly the winners, and the store saw far
// fewer insert calls than documents.
func TestEachCallerGetsItsOwnOutcome(t *testing.T) {
	env := testenv.Get(t)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	var inserts atomic.Int64
	client, db, err := mongox.ConnectMonitored(ctx, env.MongoURI, testenv.Name("gc"), func(cmd, coll string, _ bson.Raw) {
		if cmd == "insert" && coll == "docs" {
			inserts.Add(1)
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	defer client.Disconnect(ctx) //nolint:errcheck // teardown
	coll := db.Collection("docs")
	if err := mongox.EnsureIndexes(ctx, coll, mongoUnique("op")); err != nil {
		t.Fatal(err)
	}
	for i := range 50 {
		if _, err := coll.InsertOne(ctx, bson.M{"_id": fmt.Sprintf("taken-%d", i), "op": fmt.Sprintf("old-%d", i)}); err != nil {
			t.Fatal(err)
		}
	}
	ins := groupcommit.New(coll, groupcommit.Options{})
	inserts.Store(0)

	type outcome struct {
		id  string
		err error
	}
	out := make(chan outcome, 200)
	var wg sync.WaitGroup
	for i := range 200 {
		wg.Go(func() {
			var doc bson.M
			switch {
			case i < 50: // _id already taken
				doc = bson.M{"_id": fmt.Sprintf("taken-%d", i), "op": fmt.Sprintf("new-%d", i)}
			case i < 70: // ten pairs share one op key: one of each pair wins
				doc = bson.M{"_id": fmt.Sprintf("pair-%d", i), "op": fmt.Sprintf("pair-op-%d", i/2)}
			default:
				doc = bson.M{"_id": fmt.Sprintf("fresh-%d", i), "op": fmt.Sprintf("fresh-%d", i)}
			}
			out <- outcome{doc["_id"].(string), ins.InsertOne(ctx, doc)}
		})
	}
	wg.Wait()
	close(out)
	won := 0
	for o := range out {
		switch {
		case o.err == nil:
			won++
			if len(o.id) > 5 && o.id[:5] == "taken" {
				t.Errorf("%s: insert over a taken _id reported success", o.id)
			}
		case mongox.IsDuplicateKey(o.err):
			if len(o.id) > 5 && o.id[:5] == "fresh" {
				t.Errorf("%s: fresh document refused: %v", o.id, o.err)
			}
		default:
			t.Errorf("%s: unexpected error %v", o.id, o.err)
		}
	}
	if want := 130 + 10; won != want {
		t.Fatalf("%d inserts succeeded, want %d (130 fresh + one of each of 10 pairs)", won, want)
	}
	n, err := coll.CountDocuments(ctx, bson.D{})
	if err != nil {
		t.Fatal(err)
	}
	if n != 50+int64(won) {
		t.Fatalf("collection holds %d documents, want %d", n, 50+won)
	}
	if calls := inserts.Load(); calls >= 100 {
		t.Fatalf("%d insert calls for 200 documents: not batched", calls)
	}
	t.Logf("200 concurrent inserts took %d insert calls", inserts.Load())
}

func mongoUnique(field string) mongo.IndexModel {
	return mongo.IndexModel{Keys: bson.D{{Key: field, Value: 1}}, Options: options.Index().SetUnique(true)}
}
