package engine

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"

	"github.com/wundergraph/astjson"
	"github.com/wundergraph/graphql-go-tools/v2/pkg/engine/datasource/httpclient"
	"github.com/wundergraph/graphql-go-tools/v2/pkg/engine/resolve"
)

// ctxSourcePrefix starts the id of every context data source.
const ctxSourcePrefix = "ctx-"

func isContextFetch(info *resolve.FetchInfo) bool {
	return info != nil && strings.HasPrefix(info.DataSourceID, ctxSourcePrefix)
}

// addContextDependencies makes every context fetch wait for each fetch at
// or above its path (the ancestors whose hidden context values it reads),
// unless that fetch already waits for it.
func addContextDependencies(items []*resolve.FetchItem) {
	byID := map[int]*resolve.FetchItem{}
	for _, it := range items {
		byID[it.Fetch.Dependencies().FetchID] = it
	}
	var dependsOn func(from, on int, seen map[int]bool) bool
	dependsOn = func(from, on int, seen map[int]bool) bool {
		if from == on {
			return true
		}
		if seen[from] {
			return false
		}
		seen[from] = true
		it := byID[from]
		if it == nil {
			return false
		}
		for _, d := range it.Fetch.Dependencies().DependsOnFetchIDs {
			if dependsOn(d, on, seen) {
				return true
			}
		}
		return false
	}
	for _, it := range items {
		if !isContextFetch(it.Fetch.FetchInfo()) {
			continue
		}
		deps := it.Fetch.Dependencies()
		for _, other := range items {
			od := other.Fetch.Dependencies()
			if other == it || !pathWithin(it.ResponsePath, other.ResponsePath) || dependsOn(od.FetchID, deps.FetchID, map[int]bool{}) {
				continue
			}
			if !containsInt(deps.DependsOnFetchIDs, od.FetchID) {
				deps.DependsOnFetchIDs = append(deps.DependsOnFetchIDs, od.FetchID)
			}
		}
	}
}

// pathWithin reports whether response path p is at or below ancestor.
func pathWithin(p, ancestor string) bool {
	return ancestor == "" || p == ancestor || strings.HasPrefix(p, ancestor+".")
}

func containsInt(l []int, x int) bool {
	for _, y := range l {
		if y == x {
			return true
		}
	}
	return false
}

// installContexts equips every context fetch of a postprocessed tree:
// its header finds each entity's context values, its representations
// carry them, and its data source sends one request per distinct value.
func installContexts(n *resolve.FetchTreeNode, bindings []contextBinding) {
	if n == nil {
		return
	}
	for _, c := range n.ChildNodes {
		installContexts(c, bindings)
	}
	if n.Item == nil || n.Item.Fetch == nil || !isContextFetch(n.Item.Fetch.FetchInfo()) {
		return
	}
	inject := resolve.TemplateSegment{
		SegmentType:  resolve.VariableSegmentType,
		VariableKind: resolve.ResolvableObjectVariableKind,
		Renderer:     &ctxInject{path: n.Item.FetchPath, bindings: bindings},
	}
	switch f := n.Item.Fetch.(type) {
	case *resolve.BatchEntityFetch:
		f.Input.Header.Segments = append([]resolve.TemplateSegment{inject}, f.Input.Header.Segments...)
		for i := range f.Input.Items {
			wrapItemRenderers(f.Input.Items[i].Segments)
		}
		f.DataSource = &ctxSource{inner: f.DataSource, bindings: bindings}
	case *resolve.EntityFetch:
		f.Input.Header.Segments = append([]resolve.TemplateSegment{inject}, f.Input.Header.Segments...)
		wrapItemRenderers(f.Input.Item.Segments)
		f.DataSource = &ctxSource{inner: f.DataSource, bindings: bindings}
	}
}

func wrapItemRenderers(segs []resolve.TemplateSegment) {
	for i := range segs {
		if r, ok := segs[i].Renderer.(*resolve.GraphQLVariableResolveRenderer); ok {
			segs[i].Renderer = &ctxItem{inner: r}
		}
		wrapItemRenderers(segs[i].Segments)
	}
}

// stripContextFields removes the hidden context selections from the
// response the client gets.
func stripContextFields(n resolve.Node) {
	switch x := n.(type) {
	case *resolve.Object:
		if x == nil {
			return
		}
		kept := x.Fields[:0]
		for _, f := range x.Fields {
			if strings.HasPrefix(string(f.Name), ctxAliasPrefix) {
				continue
			}
			stripContextFields(f.Value)
			kept = append(kept, f)
		}
		x.Fields = kept
	case *resolve.Array:
		if x != nil {
			stripContextFields(x.Item)
		}
	}
}

// ctxValuesKey holds, per request, the context values found for each
// entity (by its value in the response data) as the representation
// members to add, e.g. `,"contextualArgument_0":"fr"`.
type ctxValuesKey struct{}

type ctxValues struct {
	mu sync.Mutex
	m  map[*astjson.Value][]byte
}

func withContextValues(ctx context.Context) context.Context {
	return context.WithValue(ctx, ctxValuesKey{}, &ctxValues{m: map[*astjson.Value][]byte{}})
}

// ctxInject renders nothing: it walks the response data along the fetch
// path, remembering the nearest ancestor's hidden context values, and
// records them for every entity the fetch will represent.
type ctxInject struct {
	path     []resolve.FetchItemPathElement
	bindings []contextBinding
}

func (*ctxInject) GetKind() string { return "contextArguments" }

type ctxItemState struct {
	v    *astjson.Value
	vals map[string][]byte
}

func (c *ctxInject) RenderVariable(ctx context.Context, _ *astjson.Value, _ io.Writer) error {
	state, _ := ctx.Value(ctxValuesKey{}).(*ctxValues)
	rec, _ := ctx.Value(recorderKey{}).(*errorRecorder)
	if state == nil || rec == nil {
		return nil
	}
	rec.mu.Lock()
	root := rec.root
	rec.mu.Unlock()
	if root == nil {
		return nil
	}
	cur := []ctxItemState{{v: root}}
	for _, el := range c.path {
		for _, name := range el.Path {
			var next []ctxItemState
			for _, it := range cur {
				vals := c.collect(it.v, it.vals)
				v := it.v.Get(name)
				if v == nil {
					continue
				}
				if v.Type() == astjson.TypeArray {
					for _, e := range v.GetArray() {
						next = append(next, ctxItemState{v: e, vals: vals})
					}
					continue
				}
				next = append(next, ctxItemState{v: v, vals: vals})
			}
			cur = next
		}
		if len(el.TypeNames) > 0 {
			kept := cur[:0]
			for _, it := range cur {
				if allowedByTypename(it.v, el.TypeNames) {
					kept = append(kept, it)
				}
			}
			cur = kept
		}
	}
	state.mu.Lock()
	defer state.mu.Unlock()
	for _, it := range cur {
		if it.v == nil || it.v.Type() != astjson.TypeObject || len(it.vals) == 0 {
			continue
		}
		var b bytes.Buffer
		for _, bd := range c.bindings {
			if v, ok := it.vals[bd.Var]; ok {
				b.WriteString(`,"` + bd.Var + `":`)
				b.Write(v)
			}
		}
		state.m[it.v] = b.Bytes()
	}
	return nil
}

// collect returns vals updated with the context values obj carries.
func (c *ctxInject) collect(obj *astjson.Value, vals map[string][]byte) map[string][]byte {
	if obj == nil || obj.Type() != astjson.TypeObject {
		return vals
	}
	var out map[string][]byte
	for _, bd := range c.bindings {
		v := obj.Get(bd.Alias)
		if v == nil {
			continue
		}
		dig, ok := bd.Dig[""]
		if bd.TypeAlias != "" {
			dig, ok = bd.Dig[string(obj.GetStringBytes(bd.TypeAlias))]
		}
		if !ok {
			continue
		}
		if out == nil {
			out = make(map[string][]byte, len(vals)+1)
			for k, x := range vals {
				out[k] = x
			}
		}
		out[bd.Var] = digJSON(v, dig, nil)
	}
	if out == nil {
		return vals
	}
	return out
}

// digJSON renders the value at path below v, mapping over lists.
func digJSON(v *astjson.Value, path []string, dst []byte) []byte {
	if v == nil || v.Type() == astjson.TypeNull {
		return append(dst, "null"...)
	}
	if v.Type() == astjson.TypeArray {
		dst = append(dst, '[')
		for i, e := range v.GetArray() {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = digJSON(e, path, dst)
		}
		return append(dst, ']')
	}
	if len(path) == 0 {
		return v.MarshalTo(dst)
	}
	return digJSON(v.Get(path[0]), path[1:], dst)
}

// ctxItem renders a representation and adds the entity's context values.
type ctxItem struct {
	inner *resolve.GraphQLVariableResolveRenderer
}

func (r *ctxItem) GetKind() string { return r.inner.GetKind() }

func (r *ctxItem) RenderVariable(ctx context.Context, data *astjson.Value, out io.Writer) error {
	state, _ := ctx.Value(ctxValuesKey{}).(*ctxValues)
	var extra []byte
	if state != nil {
		state.mu.Lock()
		extra = state.m[data]
		state.mu.Unlock()
	}
	if len(extra) == 0 {
		return r.inner.RenderVariable(ctx, data, out)
	}
	var buf bytes.Buffer
	if err := r.inner.RenderVariable(ctx, data, &buf); err != nil {
		return err
	}
	b := buf.Bytes()
	if len(b) < 2 || b[len(b)-1] != '}' {
		_, err := out.Write(b)
		return err
	}
	if _, err := out.Write(b[:len(b)-1]); err != nil {
		return err
	}
	if len(b) == 2 {
		extra = extra[1:] // "{}": no leading comma
	}
	if _, err := out.Write(extra); err != nil {
		return err
	}
	_, err := out.Write([]byte{'}'})
	return err
}

// ctxSource is a context data source: it takes the context values out of
// the representations and sends one _entities request per distinct set of
// values, with the values as the arguments' variables, then puts the
// entities (and error paths) back in the batch's order.
type ctxSource struct {
	inner    resolve.DataSource
	bindings []contextBinding
}

type subgraphInput struct {
	Method string          `json:"method,omitempty"`
	URL    string          `json:"url,omitempty"`
	Header json.RawMessage `json:"header,omitempty"`
	Body   struct {
		Query     string                     `json:"query"`
		Variables map[string]json.RawMessage `json:"variables,omitempty"`
	} `json:"body"`
}

type ctxGroup struct {
	key     string
	vals    map[string]json.RawMessage
	reps    []json.RawMessage
	indexes []int
}

func (s *ctxSource) Load(ctx context.Context, headers http.Header, input []byte) ([]byte, error) {
	// The inner source adds to the headers it is given: each request gets
	// its own copy.
	return s.load(ctx, input, func(in []byte) ([]byte, error) { return s.inner.Load(ctx, headers.Clone(), in) })
}

func (s *ctxSource) LoadWithFiles(ctx context.Context, headers http.Header, input []byte, files []*httpclient.FileUpload) ([]byte, error) {
	return s.load(ctx, input, func(in []byte) ([]byte, error) { return s.inner.LoadWithFiles(ctx, headers.Clone(), in, files) })
}

func (s *ctxSource) load(_ context.Context, input []byte, call func([]byte) ([]byte, error)) ([]byte, error) {
	var in subgraphInput
	if err := json.Unmarshal(input, &in); err != nil {
		return nil, fmt.Errorf("context arguments: subgraph input: %w", err)
	}
	var reps []map[string]json.RawMessage
	if err := json.Unmarshal(in.Body.Variables["representations"], &reps); err != nil {
		return nil, fmt.Errorf("context arguments: representations: %w", err)
	}
	var groups []*ctxGroup
	byKey := map[string]*ctxGroup{}
	for i, rep := range reps {
		vals := map[string]json.RawMessage{}
		var key strings.Builder
		for _, b := range s.bindings {
			v, ok := rep[b.Var]
			if !ok {
				continue
			}
			delete(rep, b.Var)
			if !strings.Contains(in.Body.Query, "$"+b.Var) {
				continue
			}
			vals[b.Var] = v
			key.WriteString(b.Var + "=" + string(v) + ";")
		}
		g := byKey[key.String()]
		if g == nil {
			g = &ctxGroup{key: key.String(), vals: vals}
			byKey[g.key] = g
			groups = append(groups, g)
		}
		raw, err := json.Marshal(rep)
		if err != nil {
			return nil, fmt.Errorf("context arguments: representation: %w", err)
		}
		g.reps = append(g.reps, raw)
		g.indexes = append(g.indexes, i)
	}
	entities := make([]json.RawMessage, len(reps))
	for i := range entities {
		entities[i] = json.RawMessage("null")
	}
	var errs []map[string]any
	for _, g := range groups {
		req := in
		req.Body.Variables = map[string]json.RawMessage{}
		for k, v := range in.Body.Variables {
			if !strings.HasPrefix(k, ctxVarPrefix) {
				req.Body.Variables[k] = v
			}
		}
		for k, v := range g.vals {
			req.Body.Variables[k] = v
		}
		repsJSON, err := json.Marshal(g.reps)
		if err != nil {
			return nil, fmt.Errorf("context arguments: representations: %w", err)
		}
		req.Body.Variables["representations"] = repsJSON
		body, err := json.Marshal(req)
		if err != nil {
			return nil, fmt.Errorf("context arguments: subgraph input: %w", err)
		}
		out, err := call(body)
		if err != nil {
			return nil, err
		}
		var resp struct {
			Data *struct {
				Entities []json.RawMessage `json:"_entities"`
			} `json:"data"`
			Errors []map[string]any `json:"errors"`
		}
		if err := json.Unmarshal(out, &resp); err != nil {
			return nil, fmt.Errorf("context arguments: subgraph response: %w", err)
		}
		if resp.Data != nil {
			for i, e := range resp.Data.Entities {
				if i < len(g.indexes) {
					entities[g.indexes[i]] = e
				}
			}
		}
		for _, e := range resp.Errors {
			if p, ok := e["path"].([]any); ok && len(p) > 1 && p[0] == "_entities" {
				if idx, ok := p[1].(float64); ok && int(idx) < len(g.indexes) && idx >= 0 {
					p[1] = g.indexes[int(idx)]
				}
			}
			errs = append(errs, e)
		}
	}
	out := map[string]any{"data": map[string]any{"_entities": entities}}
	if len(errs) > 0 {
		out["errors"] = errs
	}
	b, err := json.Marshal(out)
	if err != nil {
		return nil, fmt.Errorf("context arguments: response: %w", err)
	}
	return b, nil
}
