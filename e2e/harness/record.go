package harness

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
)

// RecordEnv names a directory: when set, every operation a test sends
// through a router and that the router answers with data is written there
// as a .graphql file (one per distinct document). `make operations` records
// the whole suite into e2e/testdata/operations, the client operations
// `make check` validates each schema change against.
const RecordEnv = "E2E_RECORD_OPERATIONS"

var stringLiteral = regexp.MustCompile(`"(?:[^"\\]|\\.)*"`)

var routerURLs sync.Map // GraphQL URL -> true, for the routers of running systems

// registerRouter marks url as a router endpoint whose operations are recorded.
func registerRouter(url string) { routerURLs.Store(url, true) }

// record writes query to the recording directory when c talks to a router,
// recording is on and the router answered with data.
func (c *Client) record(query string, r *Response) {
	dir := os.Getenv(RecordEnv)
	if dir == "" || r == nil || r.Status != 200 || len(r.Data) == 0 || string(r.Data) == "null" {
		return
	}
	if _, ok := routerURLs.Load(c.URL); !ok {
		return
	}
	if strings.Contains(query, "__schema") || strings.Contains(query, "__type") {
		return // introspection: tooling, not a client operation
	}
	// One file per operation shape: documents that differ only in string
	// literals (ids a test made up) are the same client operation.
	sum := sha256.Sum256([]byte(stringLiteral.ReplaceAllString(query, `""`)))
	path := filepath.Join(dir, hex.EncodeToString(sum[:6])+".graphql")
	if _, err := os.Stat(path); err == nil {
		return
	}
	_ = os.MkdirAll(dir, 0o755)                                                                           //nolint:errcheck // best effort: a failure shows as a missing file
	_ = os.WriteFile(path, []byte("# recorded from the e2e suite (make operations)\n"+query+"\n"), 0o644) //nolint:errcheck,gosec // same
}
