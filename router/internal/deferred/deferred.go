// Package deferred speaks incremental delivery (@defer) over HTTP as Apollo
// Router does: a multipart/mixed response whose parts follow the
// deferSpec=20220824 payload format.
//
// The engine (graphql-go-tools) renders deferred responses in the newer
// format of the incremental delivery proposal: the initial payload
// announces "pending" fragments by id, later ones carry "incremental"
// items by id (with a "subPath" below the fragment's path) and "completed"
// entries. Transcoder turns those frames into the 20220824 payloads that
// Apollo clients read: every incremental item carries its full "path" and
// its fragment's "label".
package deferred

import (
	"bytes"
	"encoding/json"
	"fmt"
	"mime"
	"slices"
	"strings"
)

// Spec is the deferSpec parameter this package speaks.
const Spec = "20220824"

// ContentType is the media type of an incremental response.
const ContentType = `multipart/mixed;boundary="graphql";deferSpec=` + Spec

// Accepts reports whether an Accept header admits incremental delivery:
// multipart/mixed with deferSpec=20220824 (alone or next to
// application/json, as Apollo clients send it).
func Accepts(accept string) bool {
	for _, part := range strings.Split(accept, ",") {
		mt, params, err := mime.ParseMediaType(strings.TrimSpace(part))
		if err != nil || mt != "multipart/mixed" {
			continue
		}
		if params["deferspec"] == Spec {
			return true
		}
	}
	return false
}

// Transcoder converts the engine's frames of one response, in order, into
// deferSpec=20220824 payloads. It is not safe for concurrent use.
type Transcoder struct {
	// RewriteErrors, when set, gives the errors array of each incremental
	// item (and of a fragment that could not be delivered) its final form,
	// e.g. client paths for entity errors; it sees a frame's arrays in order.
	RewriteErrors func(errors []byte) []byte

	initialDone bool
	done        bool
	pending     map[string]pending
}

type pending struct {
	path  []string
	label string
}

// frame is what the engine writes per flush; data stays as it was rendered.
type frame struct {
	Errors      json.RawMessage `json:"errors"`
	Data        json.RawMessage `json:"data"`
	Extensions  json.RawMessage `json:"extensions"`
	Pending     []pendingEntry  `json:"pending"`
	Incremental []itemEntry     `json:"incremental"`
	Completed   []itemEntry     `json:"completed"`
	HasNext     *bool           `json:"hasNext"`
}

type pendingEntry struct {
	ID    string   `json:"id"`
	Path  []string `json:"path"`
	Label string   `json:"label"`
}

type itemEntry struct {
	ID      string          `json:"id"`
	SubPath []any           `json:"subPath"`
	Data    json.RawMessage `json:"data"`
	Errors  json.RawMessage `json:"errors"`
}

// item is one incremental item of a 20220824 subsequent payload.
type item struct {
	Data   json.RawMessage `json:"data"`
	Path   []any           `json:"path"`
	Label  string          `json:"label,omitempty"`
	Errors json.RawMessage `json:"errors,omitempty"`
}

// initial is the first payload.
type initial struct {
	Data       json.RawMessage `json:"data,omitempty"`
	Errors     json.RawMessage `json:"errors,omitempty"`
	Extensions json.RawMessage `json:"extensions,omitempty"`
	HasNext    bool            `json:"hasNext"`
}

// subsequent is every later payload.
type subsequent struct {
	HasNext     bool            `json:"hasNext"`
	Incremental []item          `json:"incremental,omitempty"`
	Errors      json.RawMessage `json:"errors,omitempty"`
}

// Done reports whether the last frame converted ended the response
// (hasNext: false).
func (t *Transcoder) Done() bool { return t.done }

// Payload converts one frame. It returns nil when the frame carries
// nothing a 20220824 client needs (an announcement of nested fragments, a
// fragment completed without data): no part is sent for it.
func (t *Transcoder) Payload(raw []byte) ([]byte, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var f frame
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("deferred: engine frame: %w", err)
	}
	if t.pending == nil {
		t.pending = map[string]pending{}
	}
	for _, p := range f.Pending {
		t.pending[p.ID] = pending{path: p.Path, label: p.Label}
	}
	hasNext := f.HasNext != nil && *f.HasNext
	t.done = !hasNext
	if !t.initialDone {
		t.initialDone = true
		return json.Marshal(initial{Data: f.Data, Errors: f.Errors, Extensions: f.Extensions, HasNext: hasNext})
	}
	out := subsequent{HasNext: hasNext, Errors: f.Errors}
	shared := sharedErrors(f.Incremental)
	for _, in := range f.Incremental {
		p := t.pending[in.ID]
		errs := in.Errors
		if shared {
			errs = nil
		}
		out.Incremental = append(out.Incremental, item{Data: in.Data, Path: fullPath(p.path, in.SubPath), Label: p.label, Errors: t.rewrite(errs)})
	}
	if shared {
		distribute(out.Incremental, t.rewrite(f.Incremental[0].Errors))
	}
	for _, c := range f.Completed {
		p := t.pending[c.ID]
		if len(c.Errors) > 0 && !bytes.Equal(c.Errors, []byte("null")) {
			// A fragment that could not be delivered: its errors travel in
			// an item of its own, with null data.
			out.Incremental = append(out.Incremental, item{Data: json.RawMessage("null"), Path: fullPath(p.path, nil), Label: p.label, Errors: t.rewrite(c.Errors)})
		}
		delete(t.pending, c.ID)
	}
	if out.HasNext && len(out.Incremental) == 0 && len(out.Errors) == 0 {
		return nil, nil
	}
	return json.Marshal(out)
}

// fullPath is the response path of an incremental item: the fragment's
// announced path (field names only) up to where the item's subPath takes
// over. The engine starts subPath at the first runtime segment that does
// not continue the fragment's path (a list index, or a field below it);
// when it starts at an index, the fragment's names after it reappear in
// subPath and are not repeated.
func fullPath(fragment []string, subPath []any) []any {
	keep := len(fragment)
	if len(subPath) > 0 {
		if _, isName := subPath[0].(string); !isName {
			var names []string
			for _, s := range subPath {
				if name, ok := s.(string); ok {
					names = append(names, name)
				}
			}
			for m := min(len(names), len(fragment)); m > 0; m-- {
				if slices.Equal(fragment[len(fragment)-m:], names[:m]) {
					keep = len(fragment) - m
					break
				}
			}
		}
	}
	out := make([]any, 0, keep+len(subPath))
	for _, s := range fragment[:keep] {
		out = append(out, s)
	}
	return append(out, subPath...)
}

func (t *Transcoder) rewrite(errs json.RawMessage) json.RawMessage {
	if t.RewriteErrors == nil || len(errs) == 0 {
		return errs
	}
	return t.RewriteErrors(errs)
}

// sharedErrors reports whether the engine repeated one errors array on
// every item of a frame (it does for the items of a fragment under a
// list): those errors are then sent once, each with the item it belongs to.
func sharedErrors(items []itemEntry) bool {
	if len(items) < 2 || len(items[0].Errors) == 0 {
		return false
	}
	for _, it := range items[1:] {
		if !bytes.Equal(it.Errors, items[0].Errors) {
			return false
		}
	}
	return true
}

// distribute gives each error to the item whose path is the longest prefix
// of the error's path (the first item when none is).
func distribute(items []item, errs json.RawMessage) {
	var list []json.RawMessage
	if err := json.Unmarshal(errs, &list); err != nil {
		items[0].Errors = errs
		return
	}
	byItem := make([][]json.RawMessage, len(items))
	for _, e := range list {
		var pe struct {
			Path []any `json:"path"`
		}
		_ = json.Unmarshal(e, &pe) //nolint:errcheck // an error without a readable path goes to the first item
		best, bestLen := 0, -1
		for i, it := range items {
			if len(it.Path) > bestLen && hasPrefix(pe.Path, it.Path) {
				best, bestLen = i, len(it.Path)
			}
		}
		byItem[best] = append(byItem[best], e)
	}
	for i, errs := range byItem {
		if len(errs) == 0 {
			continue
		}
		b, err := json.Marshal(errs)
		if err == nil {
			items[i].Errors = b
		}
	}
}

func hasPrefix(path, prefix []any) bool {
	if len(prefix) > len(path) {
		return false
	}
	for i := range prefix {
		if fmt.Sprint(path[i]) != fmt.Sprint(prefix[i]) {
			return false
		}
	}
	return true
}
