package limits

import (
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
