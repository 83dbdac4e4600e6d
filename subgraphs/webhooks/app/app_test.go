package app_test

import (
	"encoding/json"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/shopsupergraph/shop/platform/auth"
	"github.com/shopsupergraph/shop/platform/events"
	"github.com/shopsupergraph/shop/subgraphs/webhooks/signature"
)

// TestSignedDeliveryRetriedAfter500: an OrderPlaced event reaches a
// receiver subscribed to ORDER_CREATED and ORDER_CONFIRMED as two signed
// deliveries that Verify accepts; the first attempt got a 500 and the
// retry succeeded, both attempts recorded.
func TestSignedDeliveryRetriedAfter500(t *testing.T) {
	sh := newShared()
	rcv := newReceiver(t, http.StatusInternalServerError)
	in := start(t, sh, map[string]string{"WEBHOOKS_ALLOW_PRIVATE": "true", "WEBHOOKS_CA_FILE": rcv.CAFile})
	id, whsec := register(t, in.URL, rcv.srv.URL+"/hooks", "ORDER_CREATED", "ORDER_CONFIRMED")

	ev := orderPlaced(t, "order-1")
	publish(t, sh, events.TopicOrders, ev)
	waitFor(t, "two delivered events", func() bool {
		n := 0
		for _, r := range rcv.received() {
			if r.Status == http.StatusOK {
				n++
			}
		}
		return n == 2
	})
	var types []string
	for _, r := range rcv.received() {
		if err := signature.Verify(whsec, r.Header, r.Body, time.Now()); err != nil {
			t.Fatalf("Verify: %v", err)
		}
		var body struct {
			ID        string    `json:"id"`
			Type      string    `json:"type"`
			CreatedAt time.Time `json:"createdAt"`
			Data      struct {
				OrderID string `json:"orderId"`
				Total   int    `json:"total"`
			} `json:"data"`
		}
		if err := json.Unmarshal(r.Body, &body); err != nil {
			t.Fatal(err)
		}
		if body.ID != r.Header.Get(signature.HeaderID) || body.Data.OrderID != "order-1" || body.Data.Total != 40 || !body.CreatedAt.Equal(ev.OccurredAt) {
			t.Fatalf("body %s with Webhook-Id %q", r.Body, r.Header.Get(signature.HeaderID))
		}
		if r.Status == http.StatusOK {
			types = append(types, body.Type)
		}
	}
	slices.Sort(types)
	if !slices.Equal(types, []string{"ORDER_CONFIRMED", "ORDER_CREATED"}) {
		t.Fatalf("delivered types %v", types)
	}
	if other, err := signature.NewSecret(); err != nil || signature.Verify(other, rcv.received()[0].Header, rcv.received()[0].Body, time.Now()) == nil {
		t.Fatalf("a delivery verified under another secret (%v)", err)
	}

	got := deliveries(t, in.URL, id).Webhook.Deliveries
	if got.Total != 2 || len(got.Nodes) != 2 {
		t.Fatalf("deliveries %+v", got)
	}
	retried := 0
	for _, d := range got.Nodes {
		if d.Status != "DELIVERED" || d.NextAttemptAt != nil {
			t.Fatalf("delivery %+v, want DELIVERED without next attempt", d)
		}
		if len(d.Attempts) == 2 {
			retried++
			if a := d.Attempts[0]; a.HTTPStatus == nil || *a.HTTPStatus != 500 || a.Error == nil {
				t.Fatalf("first attempt %+v, want HTTP 500 with an error", a)
			}
			if a := d.Attempts[1]; a.HTTPStatus == nil || *a.HTTPStatus != 200 || a.Error != nil {
				t.Fatalf("second attempt %+v, want HTTP 200", a)
			}
		}
	}
	if retried != 1 {
		t.Fatalf("%d deliveries retried, want 1: %+v", retried, got.Nodes)
	}
}

// TestBoundedRetriesEndFailed: a receiver that always answers 500 gets
// attempts until the retry window closes, then the delivery is FAILED,
// every attempt recorded and no next attempt planned.
func TestBoundedRetriesEndFailed(t *testing.T) {
	sh := newShared()
	rcv := newReceiver(t, 500, 500, 500, 500, 500, 500, 500, 500, 500, 500, 500, 500, 500, 500, 500, 500, 500, 500, 500, 500, 500, 500, 500, 500, 500, 500, 500, 500, 500, 500)
	in := start(t, sh, map[string]string{"WEBHOOKS_ALLOW_PRIVATE": "true", "WEBHOOKS_CA_FILE": rcv.CAFile, "WEBHOOKS_RETRY_FOR": "400ms"})
	id, _ := register(t, in.URL, rcv.srv.URL, "STOCK_CHANGED")
	ev, err := events.New(events.StockChanged, time.Now(), events.StockChangedData{ProductID: "p1", Quantity: 7, Delta: -3, Reason: "order", Version: 4})
	if err != nil {
		t.Fatal(err)
	}
	publish(t, sh, events.TopicProducts, ev)
	var d deliveryNode
	waitFor(t, "a FAILED delivery", func() bool {
		nodes := deliveries(t, in.URL, id).Webhook.Deliveries.Nodes
		if len(nodes) == 1 {
			d = nodes[0]
		}
		return d.Status == "FAILED"
	})
	if len(d.Attempts) < 2 || d.NextAttemptAt != nil {
		t.Fatalf("failed delivery %+v, want at least 2 attempts and no next one", d)
	}
	if n := len(rcv.received()); n != len(d.Attempts) {
		t.Fatalf("receiver got %d requests, %d attempts recorded", n, len(d.Attempts))
	}
	for _, a := range d.Attempts {
		if a.HTTPStatus == nil || *a.HTTPStatus != 500 {
			t.Fatalf("attempt %+v, want HTTP 500", a)
		}
	}
}

// TestRestartLosesNoEvent: events published while the service is down
// are delivered after it starts again (the consumer group resumes from
// its committed offset), and an event seen twice (redelivered, or
// replayed by the broker) is delivered once.
func TestRestartLosesNoEvent(t *testing.T) {
	sh := newShared()
	rcv := newReceiver(t)
	extra := map[string]string{"WEBHOOKS_ALLOW_PRIVATE": "true", "WEBHOOKS_CA_FILE": rcv.CAFile}
	first := start(t, sh, extra)
	id, _ := register(t, first.URL, rcv.srv.URL, "ORDER_CANCELLED")
	cancelled := func(order string) events.Envelope {
		e, err := events.New(events.OrderCancelled, time.Now(), events.OrderData{OrderID: order, UserID: "u1", Status: "CANCELLED"})
		if err != nil {
			t.Fatal(err)
		}
		return e
	}
	before := cancelled("before")
	publish(t, sh, events.TopicOrders, before)
	waitFor(t, "the first delivery", func() bool { return len(rcv.received()) == 1 })
	first.stop()

	during := cancelled("during")
	publish(t, sh, events.TopicOrders, during, before)
	second := start(t, sh, extra)
	waitFor(t, "the event published while down", func() bool { return len(rcv.received()) >= 2 })
	// A later event is a marker: once it arrives, the duplicate of
	// "before" (published before it) has been consumed too.
	publish(t, sh, events.TopicOrders, cancelled("after"))
	waitFor(t, "the marker", func() bool { return len(rcv.received()) >= 3 })
	got := deliveries(t, second.URL, id).Webhook.Deliveries
	if got.Total != 3 || len(rcv.received()) != 3 {
		t.Fatalf("%d deliveries stored, %d received; want 3 each", got.Total, len(rcv.received()))
	}
}

// TestRefusals: SSRF and malformed URLs come back as typed errors and
// store nothing; callers without the scope are refused with their codes;
// page sizes and cursors are checked.
func TestRefusals(t *testing.T) {
	sh := newShared()
	in := start(t, sh, nil)
	for _, tc := range []struct{ url, code string }{
		{"https://127.0.0.1/hook", "URL_NOT_ALLOWED"},
		{"https://10.1.2.3/hook", "URL_NOT_ALLOWED"},
		{"https://169.254.169.254/latest/meta-data", "URL_NOT_ALLOWED"},
		{"https://[::1]:8443/hook", "URL_NOT_ALLOWED"},
		{"https://localhost/hook", "URL_NOT_ALLOWED"},
		{"http://example.com/hook", "INVALID"},
		{"https://user:pw@example.com/hook", "INVALID"},
		{"not a url", "INVALID"},
	} {
		var out createResult
		r := post(t, in.URL, admin, createMutation, map[string]any{"in": map[string]any{"url": tc.url, "events": []string{"ORDER_CREATED"}}}, &out)
		if len(r.Errors) > 0 || out.Create.Webhook != nil || out.Create.Secret != nil || len(out.Create.Errors) != 1 ||
			out.Create.Errors[0].Code != tc.code || out.Create.Errors[0].Field == nil || *out.Create.Errors[0].Field != "url" {
			t.Errorf("webhookCreate %s = %s %+v, want one url error %s", tc.url, r.Data, r.Errors, tc.code)
		}
	}
	var out createResult
	post(t, in.URL, admin, createMutation, map[string]any{"in": map[string]any{"url": "https://127.0.0.1/", "events": []string{}}}, &out)
	if len(out.Create.Errors) != 2 {
		t.Errorf("bad url and no events: errors %+v, want both", out.Create.Errors)
	}
	var list struct {
		Webhooks []struct{ ID string } `json:"webhooks"`
	}
	if r := post(t, in.URL, admin, `{ webhooks { id } }`, nil, &list); len(r.Errors) > 0 || len(list.Webhooks) != 0 {
		t.Fatalf("webhooks after refusals = %s %+v, want none", r.Data, r.Errors)
	}

	token, err := auth.NewTokens(secret, time.Hour).Issue(auth.Identity{UserID: "customer-1"})
	if err != nil {
		t.Fatal(err)
	}
	if c := code(post(t, in.URL, creds{}, `{ webhooks { id } }`, nil, nil)); c != "UNAUTHENTICATED" {
		t.Errorf("anonymous webhooks: code %q, want UNAUTHENTICATED", c)
	}
	r := post(t, in.URL, creds{token: token}, createMutation, map[string]any{"in": map[string]any{"url": "https://example.com/", "events": []string{"ORDER_CREATED"}}}, nil)
	if c := code(r); c != "FORBIDDEN" || len(r.Errors) == 0 || r.Errors[0].Extensions["requiredScopes"] == nil {
		t.Errorf("customer webhookCreate: %+v, want FORBIDDEN with requiredScopes", r.Errors)
	}

	rcv := newReceiver(t)
	open := start(t, newShared(), map[string]string{"WEBHOOKS_ALLOW_PRIVATE": "true"})
	id, _ := register(t, open.URL, rcv.srv.URL, "ORDER_CREATED")
	for _, vars := range []map[string]any{{"id": id, "first": 101}, {"id": id, "first": 10, "after": "!!not-a-cursor"}} {
		if c := code(post(t, open.URL, admin, deliveriesQuery, vars, nil)); c != "BAD_USER_INPUT" {
			t.Errorf("deliveries %v: code %q, want BAD_USER_INPUT", vars, c)
		}
	}
	var upd struct {
		Update struct {
			Webhook *struct {
				Events []string `json:"events"`
			} `json:"webhook"`
			Secret *string `json:"secret"`
		} `json:"webhookUpdate"`
	}
	r = post(t, open.URL, admin, `mutation($id: ID!) { webhookUpdate(id: $id, input: {events: [STOCK_CHANGED]}) { webhook { events } secret errors { code } } }`, map[string]any{"id": id}, &upd)
	if len(r.Errors) > 0 || upd.Update.Webhook == nil || !slices.Equal(upd.Update.Webhook.Events, []string{"STOCK_CHANGED"}) || upd.Update.Secret != nil {
		t.Errorf("webhookUpdate = %s %+v, want STOCK_CHANGED and no secret", r.Data, r.Errors)
	}
	var del struct {
		Delete struct {
			DeletedID *string `json:"deletedId"`
			Errors    []struct {
				Code string `json:"code"`
			} `json:"errors"`
		} `json:"webhookDelete"`
	}
	post(t, open.URL, admin, `mutation($id: ID!) { webhookDelete(id: $id) { deletedId errors { code } } }`, map[string]any{"id": id}, &del)
	if del.Delete.DeletedID == nil || *del.Delete.DeletedID != id {
		t.Errorf("webhookDelete = %+v", del)
	}
	post(t, open.URL, admin, `mutation($id: ID!) { webhookDelete(id: $id) { deletedId errors { code } } }`, map[string]any{"id": id}, &del)
	if len(del.Delete.Errors) != 1 || del.Delete.Errors[0].Code != "NOT_FOUND" {
		t.Errorf("second webhookDelete = %+v, want NOT_FOUND", del)
	}
}

// TestRotateSecret: the new secret is returned once, and deliveries made
// after the rotation verify under it and no longer under the old one.
func TestRotateSecret(t *testing.T) {
	sh := newShared()
	rcv := newReceiver(t)
	in := start(t, sh, map[string]string{"WEBHOOKS_ALLOW_PRIVATE": "true", "WEBHOOKS_CA_FILE": rcv.CAFile})
	id, old := register(t, in.URL, rcv.srv.URL, "ORDER_CREATED")
	var rot struct {
		Rotate struct {
			Secret *string `json:"secret"`
		} `json:"webhookRotateSecret"`
	}
	r := post(t, in.URL, admin, `mutation($id: ID!) { webhookRotateSecret(id: $id) { secret errors { code } } }`, map[string]any{"id": id}, &rot)
	if len(r.Errors) > 0 || rot.Rotate.Secret == nil || *rot.Rotate.Secret == old {
		t.Fatalf("webhookRotateSecret = %s %+v", r.Data, r.Errors)
	}
	publish(t, sh, events.TopicOrders, orderPlaced(t, "order-rotated"))
	waitFor(t, "the delivery", func() bool { return len(rcv.received()) == 1 })
	got := rcv.received()[0]
	if err := signature.Verify(*rot.Rotate.Secret, got.Header, got.Body, time.Now()); err != nil {
		t.Fatalf("new secret: %v", err)
	}
	if err := signature.Verify(old, got.Header, got.Body, time.Now()); err == nil {
		t.Fatal("the old secret still verifies")
	}
}
