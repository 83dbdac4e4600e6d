package testenv_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/bson"

	"github.com/shopsupergraph/shop/platform/mongox"
	"github.com/shopsupergraph/shop/platform/testenv"
)

// TestFindByIDUsesAnIndex: whichever server the suites run against (the
// embedded FerretDB on SQLite, or FerretDB on PostgreSQL under `make
// test-real`), a find by _id is planned as an index search, not a scan of
// the collection. FerretDB's own _id index serves neither backend's find;
// platform/embedded and scripts/ferretdb-pg-id-index.sql add the ones that
// do, and this test fails if either stops working.
func TestFindByIDUsesAnIndex(t *testing.T) {
	env := testenv.Get(t)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	client, db, err := mongox.Connect(ctx, env.MongoURI, testenv.Name("idindex"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = db.Drop(context.Background())
		_ = client.Disconnect(context.Background())
	})
	c := db.Collection("docs")
	docs := make([]any, 0, 1000)
	for i := range 1000 {
		docs = append(docs, bson.D{{Key: "_id", Value: fmt.Sprintf("d%05d", i)}, {Key: "pad", Value: strings.Repeat("x", 200)}})
	}
	if _, err := c.InsertMany(ctx, docs); err != nil {
		t.Fatal(err)
	}
	if env.Stack != nil {
		if err := env.Stack.SyncIDIndexes(ctx); err != nil {
			t.Fatal(err)
		}
	}
	filter := bson.D{{Key: "_id", Value: "d00500"}}
	cmd := bson.D{{Key: "explain", Value: bson.D{{Key: "find", Value: "docs"}, {Key: "filter", Value: filter}}}}
	// On SQLite a FerretDB connection re-plans with a new index only once
	// it runs a real statement (explain alone does not), so finds go first
	// until explain lands on a connection that has.
	for i := 0; ; i++ {
		if err := c.FindOne(ctx, filter).Err(); err != nil {
			t.Fatal(err)
		}
		var out bson.M
		if err := db.RunCommand(ctx, cmd).Decode(&out); err != nil {
			t.Fatal(err)
		}
		plan, err := bson.MarshalExtJSON(out["queryPlanner"], false, false)
		if err != nil {
			t.Fatal(err)
		}
		// SQLite: "SEARCH <table> USING INDEX ..."; PostgreSQL: an
		// "Index Scan" or "Bitmap Index Scan" node.
		if strings.Contains(string(plan), "USING INDEX") || strings.Contains(string(plan), "Index Scan") {
			return
		}
		if i == 50 {
			t.Fatalf("find by _id is planned without an index: %s", plan)
		}
	}
}
