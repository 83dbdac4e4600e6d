package e2e

import (
	"compress/gzip"
	"context"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	coltracepb "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	commonpb "go.opentelemetry.io/proto/otlp/common/v1"
	tracepb "go.opentelemetry.io/proto/otlp/trace/v1"
	"google.golang.org/protobuf/proto"

	"github.com/shopsupergraph/shop/e2e/harness"
)

// span is one span as the collector received it.
type span struct {
	Service, Trace, ID, Parent, Name string
	Kind                             tracepb.Span_SpanKind
	Attrs                            map[string]string
}

func (s span) String() string {
	return fmt.Sprintf("%s %q (%s) id=%s parent=%s", s.Service, s.Name, s.Kind, s.ID, s.Parent)
}

// collector is an OTLP/HTTP trace receiver: POST /v1/traces with an
// ExportTraceServiceRequest in protobuf, as the exporters send it.
type collector struct {
	mu    sync.Mutex
	spans []span
}

func (c *collector) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost || r.URL.Path != "/v1/traces" {
		http.NotFound(w, r)
		return
	}
	var body io.Reader = r.Body
	if r.Header.Get("Content-Encoding") == "gzip" {
		gz, err := gzip.NewReader(r.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		defer gz.Close()
		body = gz
	}
	raw, err := io.ReadAll(body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	var req coltracepb.ExportTraceServiceRequest
	if err := proto.Unmarshal(raw, &req); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	c.add(&req)
	out, err := proto.Marshal(&coltracepb.ExportTraceServiceResponse{})
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/x-protobuf")
	_, _ = w.Write(out)
}

func (c *collector) add(req *coltracepb.ExportTraceServiceRequest) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, rs := range req.GetResourceSpans() {
		service := attrs(rs.GetResource().GetAttributes())["service.name"]
		for _, ss := range rs.GetScopeSpans() {
			for _, s := range ss.GetSpans() {
				c.spans = append(c.spans, span{
					Service: service, Name: s.GetName(), Kind: s.GetKind(), Attrs: attrs(s.GetAttributes()),
					Trace: hex.EncodeToString(s.GetTraceId()), ID: hex.EncodeToString(s.GetSpanId()),
					Parent: hex.EncodeToString(s.GetParentSpanId()),
				})
			}
		}
	}
}

func (c *collector) all() []span {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]span(nil), c.spans...)
}

func attrs(kvs []*commonpb.KeyValue) map[string]string {
	m := map[string]string{}
	for _, kv := range kvs {
		v := kv.GetValue()
		switch {
		case v.GetStringValue() != "":
			m[kv.GetKey()] = v.GetStringValue()
		default:
			m[kv.GetKey()] = fmt.Sprint(v.GetIntValue())
		}
	}
	return m
}

// orderTrace is what TestOrderTracedAcrossProcesses looks for in one
// trace: the router's request and its fetch from orders, orders' request
// and its reservation call, products' handling of that call, and the
// OrderPlaced event from orders' producer span to products' consumer span.
type orderTrace struct {
	routerRequest, routerFetch, ordersRequest, ordersOperation, reserveCall, productsRequest span
	send, process                                                                            span
	mongo                                                                                    map[string]bool
}

// findOrderTrace looks for the trace of the router request named op.
func findOrderTrace(spans []span, op string) (orderTrace, []string) {
	var t orderTrace
	var missing []string
	for _, s := range spans {
		if s.Service == "router" && s.Name == "graphql.request "+op {
			t.routerRequest = s
		}
	}
	if t.routerRequest.ID == "" {
		return t, []string{"the router's request span"}
	}
	in := map[string]span{}
	for _, s := range spans {
		if s.Trace == t.routerRequest.Trace {
			in[s.ID] = s
		}
	}
	child := func(parent span, match func(span) bool) span {
		for _, s := range in {
			if s.Parent == parent.ID && match(s) {
				return s
			}
		}
		return span{}
	}
	// under reports whether s descends from the span with id ancestor.
	under := func(s span, ancestor string) bool {
		for i := 0; i < 64 && s.ID != ""; i++ {
			if s.Parent == ancestor {
				return true
			}
			s = in[s.Parent]
		}
		return false
	}
	step := func(name string, s span) bool {
		if s.ID == "" {
			missing = append(missing, name)
			return false
		}
		return true
	}
	t.routerFetch = child(t.routerRequest, func(s span) bool { return s.Service == "router" && s.Name == "subgraph orders" })
	if !step("the router's fetch from orders", t.routerFetch) {
		return t, missing
	}
	t.ordersRequest = child(t.routerFetch, func(s span) bool {
		return s.Service == "orders" && s.Kind == tracepb.Span_SPAN_KIND_SERVER && s.Attrs["http.route"] == "/graphql"
	})
	if !step("orders' server span under the router's fetch", t.ordersRequest) {
		return t, missing
	}
	for _, s := range in {
		switch {
		// The router's fetch is an operation of its own, anonymous.
		case s.Service == "orders" && s.Attrs["graphql.operation.type"] == "mutation" && strings.HasPrefix(s.Name, "mutation") && under(s, t.ordersRequest.ID):
			t.ordersOperation = s
		case s.Service == "orders" && s.Kind == tracepb.Span_SPAN_KIND_CLIENT && s.Attrs["http.request.method"] == "POST" && under(s, t.ordersRequest.ID):
			t.reserveCall = s
		case s.Service == "orders" && s.Kind == tracepb.Span_SPAN_KIND_PRODUCER && s.Name == "send shop.orders":
			t.send = s
		}
	}
	step("orders' operation span", t.ordersOperation)
	if step("orders' call to products", t.reserveCall) {
		t.productsRequest = child(t.reserveCall, func(s span) bool {
			return s.Service == "products" && s.Kind == tracepb.Span_SPAN_KIND_SERVER && strings.HasPrefix(s.Attrs["http.route"], "/internal/")
		})
		step("products' server span under orders' call", t.productsRequest)
	}
	if step("orders' producer span of OrderPlaced", t.send) {
		t.process = child(t.send, func(s span) bool {
			return s.Service == "products" && s.Kind == tracepb.Span_SPAN_KIND_CONSUMER && s.Name == "process shop.orders"
		})
		step("products' consumer span under orders' producer span", t.process)
	}
	t.mongo = map[string]bool{}
	for _, s := range in {
		if s.Attrs["db.system"] == "mongodb" || s.Attrs["db.system.name"] == "mongodb" {
			t.mongo[s.Service] = true
		}
	}
	for _, svc := range []string{"orders", "products"} {
		if !t.mongo[svc] {
			missing = append(missing, svc+"' MongoDB spans")
		}
	}
	return t, missing
}

// TestOrderTracedAcrossProcesses points every process at an in-process
// OTLP/HTTP collector, places an order through the router and finds one
// trace from the router through orders to products, over HTTP (the
// reservation) and over Kafka (OrderPlaced), each hop the child of the
// span that made it. Then every process's metrics listener serves the
// semantic-convention request histogram.
func TestOrderTracedAcrossProcesses(t *testing.T) {
	t.Parallel()
	col := &collector{}
	srv := httptest.NewServer(col)
	defer srv.Close()
	otel := map[string]string{
		"OTEL_EXPORTER_OTLP_ENDPOINT": srv.URL,
		// Export every 100 ms instead of every 5 s.
		"OTEL_BSP_SCHEDULE_DELAY": "100",
	}
	router := map[string]string{"ROUTER_TRACING": "true", "ROUTER_TRACING_EXPORTER": "otlp"}
	for k, v := range otel {
		router[k] = v
	}
	sys := harness.Start(t, bins, harness.Options{Env: otel, RouterEnv: router})
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	s := newShop(t, sys, 0)
	buyer := s.register(ctx, "traced")
	p := s.createProduct(ctx, "traced-"+randHex(4), 20, 5)
	const op = "PlaceTracedOrder"
	var placed struct {
		PlaceOrder struct {
			ID string `json:"_id"`
		} `json:"placeOrder"`
	}
	s.must(ctx, `mutation `+op+`($p: [OrderProductInput]) { placeOrder(products: $p) { _id products { _id quantity } } }`,
		map[string]any{"p": []any{map[string]any{"_id": p.ID, "quantity": 1}}}, buyer.auth(), &placed)

	var (
		tr      orderTrace
		missing []string
	)
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(200 * time.Millisecond) {
		if tr, missing = findOrderTrace(col.all(), op); len(missing) == 0 {
			break
		}
		if time.Now().After(deadline) {
			var lines []string
			for _, sp := range col.all() {
				if sp.Trace == tr.routerRequest.Trace {
					lines = append(lines, sp.String())
				}
			}
			sort.Strings(lines)
			t.Fatalf("order %s: the trace lacks %s; its spans:\n%s", placed.PlaceOrder.ID, strings.Join(missing, ", "), strings.Join(lines, "\n"))
		}
	}
	services := map[string]bool{}
	for _, sp := range []span{tr.routerRequest, tr.routerFetch, tr.ordersRequest, tr.ordersOperation, tr.reserveCall, tr.productsRequest, tr.send, tr.process} {
		if sp.Trace != tr.routerRequest.Trace {
			t.Fatalf("span %s is in trace %s, not %s", sp, sp.Trace, tr.routerRequest.Trace)
		}
		services[sp.Service] = true
	}
	if len(services) < 3 {
		t.Fatalf("the trace covers %v, want the router and two subgraphs", services)
	}
	t.Logf("trace %s: %s -> %s -> %s -> %s -> %s; %s -> %s", tr.routerRequest.Trace, tr.routerRequest.Name, tr.routerFetch.Name,
		tr.ordersRequest.Name, tr.reserveCall.Name, tr.productsRequest.Name, tr.send.Name, tr.process.Name)

	// The journey above never calls the webhooks subgraph; one request
	// gives it /graphql metrics like the others.
	if _, err := harness.NewClient(sys.Webhooks.GraphQL()).Do(ctx, `{ __typename }`, nil, nil); err != nil {
		t.Fatal(err)
	}
	for _, v := range sys.Services() {
		url := v.MetricsURL()
		if url == "" {
			t.Errorf("%s reported no metrics listener", v.Name)
			continue
		}
		body := get(ctx, t, url)
		want := []string{"http_server_request_duration_seconds_bucket{", `http_route="/graphql"`}
		if strings.HasPrefix(v.Name, "router") {
			want = append(want, "http_client_request_duration_seconds_bucket{", `subgraph_name="orders"`, `graphql_operation_name="`+op+`"`)
		}
		for _, w := range want {
			if !strings.Contains(body, w) {
				t.Errorf("%s metrics (%s) lack %s", v.Name, url, w)
			}
		}
	}
}

func get(ctx context.Context, t *testing.T, url string) string {
	t.Helper()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d %v", url, resp.StatusCode, err)
	}
	return string(b)
}
