package e2e

import (
	"context"
	"testing"
	"time"

	"github.com/shopsupergraph/shop/e2e/harness"
)

func TestSmoke(t *testing.T) {
	start := time.Now()
	sys := harness.Start(t, bins, harness.Options{})
	t.Logf("started in %s", time.Since(start))
	c := harness.NewClient(sys.Router())
	r, err := c.Do(context.Background(), `{ products { _id name } users { _id } }`, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d %s", r.Status, r.Body)
}
