package embedded_test

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"
	_ "modernc.org/sqlite"

	"github.com/shopsupergraph/shop/platform/embedded"
	"github.com/shopsupergraph/shop/platform/mongox"
)

// TestIDIndexTurnsLookupScansIntoSearches: SQLite plans FerretDB's look-up
// by _id (the statement FerretDB runs, which it does push down for this
// filter) as a table scan until the stack adds its index, and as an index
// search afterwards. The data stays correct and the index stays invisible
// to MongoDB clients.
//
// The first plans come from a fresh connection. FerretDB's own explain
// command lags: EXPLAIN QUERY PLAN never starts a transaction, so a
// connection that has not run a statement since the index appeared still
// plans with its old schema. Real statements do start one, notice the
// schema change and re-plan, after which explain shows the index as well.
func TestIDIndexTurnsLookupScansIntoSearches(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	dir := t.TempDir()
	// No background polling: the table must stay unindexed until the sync.
	st, err := embedded.Start(ctx, embedded.Options{Dir: dir, IDIndexPoll: -1})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	client, db, err := mongox.Connect(ctx, st.MongoURI, "shop")
	if err != nil {
		t.Fatal(err)
	}
	defer client.Disconnect(ctx) //nolint:errcheck // test teardown
	c := db.Collection("orders")
	insertDocs(ctx, t, c, 0, 200)

	if !pushedDown(ctx, t, db, "orders") {
		t.Fatal("FerretDB does not push a find by _id down to SQL; the index cannot serve it")
	}
	file := filepath.Join(dir, "mongo", "shop.sqlite")
	table := tableOf(t, file, "orders")
	if plan := sqlitePlan(t, file, table); !strings.Contains(plan, "SCAN") || strings.Contains(plan, "USING INDEX") {
		t.Fatalf("plan before the sync = %q, want a table scan", plan)
	}

	if err := st.SyncIDIndexes(ctx); err != nil {
		t.Fatal(err)
	}
	if plan := sqlitePlan(t, file, table); !strings.Contains(plan, "SEARCH") || !strings.Contains(plan, "USING INDEX") {
		t.Fatalf("plan after the sync = %q, want an index search", plan)
	}

	// FerretDB's own statements re-plan with the index once their
	// connection has run a statement since it appeared; finds by _id
	// refresh the connections FerretDB hands out until explain, run on
	// one of them, shows the search too.
	var got bson.M
	for i := 0; ; i++ {
		if err := c.FindOne(ctx, bson.D{{Key: "_id", Value: "d00000123"}}).Decode(&got); err != nil || got["n"] != int32(123) {
			t.Fatalf("findOne by _id = %v, %v", got, err)
		}
		plan := ferretPlan(ctx, t, db, "orders")
		if strings.Contains(plan, "USING INDEX "+table+"_") {
			break
		}
		if i == 50 {
			t.Fatalf("FerretDB's plan after the sync and %d finds = %q, want the index", i+1, plan)
		}
	}
	res, err := c.UpdateOne(ctx, bson.D{{Key: "_id", Value: "d00000042"}}, bson.D{{Key: "$set", Value: bson.D{{Key: "n", Value: -1}}}})
	if err != nil || res.MatchedCount != 1 || res.ModifiedCount != 1 {
		t.Fatalf("updateOne by _id = %+v, %v", res, err)
	}
	if err := c.FindOne(ctx, bson.D{{Key: "_id", Value: "d00000042"}}).Decode(&got); err != nil || got["n"] != int32(-1) {
		t.Fatalf("findOne after update = %v, %v", got, err)
	}
	// FerretDB's _id uniqueness still holds, and the added index stays
	// invisible to MongoDB clients.
	if _, err := c.InsertOne(ctx, bson.D{{Key: "_id", Value: "d00000007"}}); !mongox.IsDuplicateKey(err) {
		t.Fatalf("duplicate _id insert err = %v, want duplicate key", err)
	}
	specs, err := c.Indexes().ListSpecifications(ctx)
	if err != nil || len(specs) != 1 || specs[0].Name != "_id_" {
		t.Fatalf("listIndexes = %v, %v; want only _id_", specs, err)
	}
}

// TestIDIndexFollowsNewCollections: collections created after Start (in a
// new database, in an existing one, and again after a drop) get the index
// from the background poller, without a sync.
func TestIDIndexFollowsNewCollections(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	dir := t.TempDir()
	st, err := embedded.Start(ctx, embedded.Options{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	client, db, err := mongox.Connect(ctx, st.MongoURI, "late")
	if err != nil {
		t.Fatal(err)
	}
	defer client.Disconnect(ctx) //nolint:errcheck // test teardown

	waitIndexed := func(name string) {
		t.Helper()
		file := filepath.Join(dir, "mongo", "late.sqlite")
		table := tableOf(t, file, name)
		deadline := time.Now().Add(3 * time.Second)
		for {
			plan := sqlitePlan(t, file, table)
			if strings.Contains(plan, "USING INDEX") {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s: plan still %q 3s after its creation", name, plan)
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	insertDocs(ctx, t, db.Collection("first"), 0, 10) // creates the database file
	waitIndexed("first")
	insertDocs(ctx, t, db.Collection("second"), 0, 10) // a new table in that file
	waitIndexed("second")
	if err := db.Collection("first").Drop(ctx); err != nil {
		t.Fatal(err)
	}
	insertDocs(ctx, t, db.Collection("first"), 0, 10) // a new table again
	waitIndexed("first")
}

func insertDocs(ctx context.Context, t testing.TB, c *mongo.Collection, from, to int) {
	t.Helper()
	const batch = 1000
	docs := make([]any, 0, batch)
	for i := from; i < to; i++ {
		docs = append(docs, bson.D{
			{Key: "_id", Value: fmt.Sprintf("d%08d", i)},
			{Key: "n", Value: i},
			{Key: "status", Value: "CONFIRMED"},
			{Key: "pad", Value: strings.Repeat("x", 200)},
		})
		if len(docs) == batch || i == to-1 {
			if _, err := c.InsertMany(ctx, docs); err != nil {
				t.Fatal(err)
			}
			docs = docs[:0]
		}
	}
}

// openSQLite opens FerretDB's file for one database, read-only.
func openSQLite(t testing.TB, file string) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+file+"?mode=ro&_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatal(err)
	}
	return db
}

// tableOf returns the SQLite table of a collection from FerretDB's metadata.
func tableOf(t testing.TB, file, collection string) string {
	t.Helper()
	db := openSQLite(t, file)
	defer db.Close()
	var table string
	if err := db.QueryRow(`SELECT table_name FROM _ferretdb_collections WHERE name = ?`, collection).Scan(&table); err != nil {
		t.Fatal(err)
	}
	return table
}

// sqlitePlan is SQLite's plan for FerretDB's look-up by _id.
func sqlitePlan(t testing.TB, file, table string) string {
	t.Helper()
	q := fmt.Sprintf(`EXPLAIN QUERY PLAN SELECT _ferretdb_sjson FROM "%s" WHERE _ferretdb_sjson->'$._id' = ?`, table)
	db := openSQLite(t, file)
	defer db.Close()
	rows, err := db.Query(q, `"d00000001"`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var details []string
	for rows.Next() {
		var id, parent, notUsed int
		var detail string
		if err := rows.Scan(&id, &parent, &notUsed, &detail); err != nil {
			t.Fatal(err)
		}
		details = append(details, detail)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return strings.Join(details, "; ")
}

// ferretPlan is the SQLite plan FerretDB reports for a find by _id.
func ferretPlan(ctx context.Context, t testing.TB, db *mongo.Database, collection string) string {
	t.Helper()
	var out struct {
		QueryPlanner struct {
			Plan []string `bson:"Plan"`
		} `bson:"queryPlanner"`
	}
	if err := db.RunCommand(ctx, explainFindByID(collection)).Decode(&out); err != nil {
		t.Fatal(err)
	}
	return strings.Join(out.QueryPlanner.Plan, "; ")
}

func explainFindByID(collection string) bson.D {
	return bson.D{{Key: "explain", Value: bson.D{
		{Key: "find", Value: collection},
		{Key: "filter", Value: bson.D{{Key: "_id", Value: "d00000001"}}},
	}}}
}

// pushedDown reports whether FerretDB turns a find by _id into SQL's WHERE
// clause, the statement the index serves.
func pushedDown(ctx context.Context, t testing.TB, db *mongo.Database, collection string) bool {
	t.Helper()
	var out struct {
		FilterPushdown bool `bson:"filterPushdown"`
	}
	if err := db.RunCommand(ctx, explainFindByID(collection)).Decode(&out); err != nil {
		t.Fatal(err)
	}
	return out.FilterPushdown
}
