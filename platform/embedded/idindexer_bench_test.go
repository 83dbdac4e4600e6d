package embedded_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/bson"

	"github.com/shopsupergraph/shop/platform/embedded"
	"github.com/shopsupergraph/shop/platform/mongox"
)

// BenchmarkIDLookup measures findOne and updateOne by _id through the
// embedded FerretDB at 1,000, 10,000 and 100,000 documents, first without
// the _id look-up index (a table scan per operation, so the cost grows with
// the collection) and then with it (an index search). Figures are in
// platform/embedded/README.md. Loading 100,000 documents takes a while, so
// -short skips it.
//
//	go test -run '^$' -bench IDLookup ./embedded/
func BenchmarkIDLookup(b *testing.B) {
	if testing.Short() {
		b.Skip("loads up to 100,000 documents")
	}
	ctx := context.Background()
	// Polling off: each collection stays unindexed until SyncIDIndexes.
	st, err := embedded.Start(ctx, embedded.Options{Dir: b.TempDir(), IDIndexPoll: -1})
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	client, db, err := mongox.Connect(ctx, st.MongoURI, "bench")
	if err != nil {
		b.Fatal(err)
	}
	defer client.Disconnect(ctx) //nolint:errcheck // benchmark teardown

	for _, n := range []int{1_000, 10_000, 100_000} {
		b.Run(fmt.Sprintf("docs=%d", n), func(b *testing.B) {
			c := db.Collection(fmt.Sprintf("docs%d", n))
			start := time.Now()
			insertDocs(ctx, b, c, 0, n)
			b.Logf("loaded %d documents in %v", n, time.Since(start).Round(time.Millisecond))
			// Ids spread over the collection, so a scan's cost is its
			// average rather than that of the first rows.
			id := func(i int) string { return fmt.Sprintf("d%08d", i*7919%n) }
			measure := func(index string) {
				b.Run("index="+index+"/findOne", func(b *testing.B) {
					for i := 0; b.Loop(); i++ {
						var doc bson.M
						if err := c.FindOne(ctx, bson.D{{Key: "_id", Value: id(i)}}).Decode(&doc); err != nil {
							b.Fatal(err)
						}
					}
				})
				b.Run("index="+index+"/updateOne", func(b *testing.B) {
					for i := 0; b.Loop(); i++ {
						res, err := c.UpdateOne(ctx, bson.D{{Key: "_id", Value: id(i)}}, bson.D{{Key: "$inc", Value: bson.D{{Key: "n", Value: 1}}}})
						if err != nil || res.MatchedCount != 1 {
							b.Fatalf("updateOne = %+v, %v", res, err)
						}
					}
				})
			}
			measure("off")
			if err := st.SyncIDIndexes(ctx); err != nil {
				b.Fatal(err)
			}
			measure("on")
		})
	}
}
