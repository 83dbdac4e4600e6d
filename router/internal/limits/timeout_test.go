package limits

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func TestTimeout(t *testing.T) {
	t.Parallel()
	slow := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		<-r.Context().Done() // the engine stops at the deadline and writes what it has
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write([]byte(`{"errors":[{"message":"Failed to fetch"}],"data":null}`))
	})
	fast := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		_, _ = w.Write([]byte(`{"data":{"a":1}}`))
	})
	w := httptest.NewRecorder()
	Timeout(20*time.Millisecond, slow).ServeHTTP(w, httptest.NewRequest(http.MethodPost, "/graphql", nil))
	if w.Code != http.StatusGatewayTimeout || !strings.Contains(w.Body.String(), CodeTimeout) || strings.Contains(w.Body.String(), "Failed") {
		t.Fatalf("slow: %d %s", w.Code, w.Body)
	}
	w = httptest.NewRecorder()
	Timeout(time.Minute, fast).ServeHTTP(w, httptest.NewRequest(http.MethodPost, "/graphql", nil))
	if w.Code != http.StatusOK || w.Body.String() != `{"data":{"a":1}}` {
		t.Fatalf("fast: %d %s", w.Code, w.Body)
	}
}

// TestTimeoutAnswersWhileTheHandlerIsStuck checks that the client gets its
// 504 at the deadline even when the handler is busy with work that does
// not watch its context (planning a large operation, waiting for a
// resolver slot), and that the handler's late response is dropped.
func TestTimeoutAnswersWhileTheHandlerIsStuck(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	finished := make(chan error, 1)
	stuck := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		<-release
		_, err := w.Write([]byte(`{"data":{"late":true}}`))
		finished <- err
	})
	srv := httptest.NewServer(Timeout(50*time.Millisecond, stuck))
	defer srv.Close()
	type answer struct {
		status int
		body   string
		err    error
	}
	got := make(chan answer, 1)
	go func() {
		res, err := http.Post(srv.URL, "application/json", strings.NewReader(`{}`))
		if err != nil {
			got <- answer{err: err}
			return
		}
		defer res.Body.Close()
		body, err := io.ReadAll(res.Body)
		got <- answer{res.StatusCode, string(body), err}
	}()
	select {
	case a := <-got:
		if a.err != nil || a.status != http.StatusGatewayTimeout || !strings.Contains(a.body, CodeTimeout) {
			t.Fatalf("got %d %q %v, want 504 %s", a.status, a.body, a.err, CodeTimeout)
		}
	case <-time.After(10 * time.Second):
		close(release)
		t.Fatal("no answer while the handler is stuck")
	}
	close(release)
	if err := <-finished; err == nil {
		t.Fatal("the handler's late response was written")
	}
}

// TestTimeoutPassesResponses checks that headers, status and body of a
// handler that answers in time reach the client unchanged.
func TestTimeoutPassesResponses(t *testing.T) {
	t.Parallel()
	h := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("X-Test", "1")
		w.WriteHeader(http.StatusTeapot)
		_, _ = w.Write([]byte("a"))
		_, _ = w.Write([]byte("b"))
	})
	w := httptest.NewRecorder()
	Timeout(time.Minute, h).ServeHTTP(w, httptest.NewRequest(http.MethodPost, "/graphql", nil))
	if w.Code != http.StatusTeapot || w.Body.String() != "ab" || w.Header().Get("X-Test") != "1" {
		t.Fatalf("got %d %q %v", w.Code, w.Body, w.Header())
	}
	empty := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.Header().Set("X-Empty", "1") })
	w = httptest.NewRecorder()
	Timeout(time.Minute, empty).ServeHTTP(w, httptest.NewRequest(http.MethodPost, "/graphql", nil))
	if w.Code != http.StatusOK || w.Header().Get("X-Empty") != "1" {
		t.Fatalf("handler without body: %d %v", w.Code, w.Header())
	}
}
