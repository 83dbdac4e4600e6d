package app_test

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/shopsupergraph/shop/platform/testenv"
)

// TestPlayground checks that "/" serves the shared offline playground,
// with subscriptions over SSE on, and its assets.
func TestPlayground(t *testing.T) {
	t.Parallel()
	in := start(t, testenv.Get(t), newShared())
	for path, want := range map[string]string{
		"/":                  `data-subscriptions="true"`,
		"/playground/app.js": "text/event-stream",
	} {
		resp, err := http.Get(in.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			t.Fatal(err)
		}
		if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), want) {
			t.Fatalf("GET %s = %d, want 200 containing %q", path, resp.StatusCode, want)
		}
	}
}
