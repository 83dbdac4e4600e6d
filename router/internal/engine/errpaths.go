package engine

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"sync"

	"github.com/cespare/xxhash/v2"
	"github.com/wundergraph/astjson"
	"github.com/wundergraph/graphql-go-tools/v2/pkg/engine/datasource/httpclient"
	"github.com/wundergraph/graphql-go-tools/v2/pkg/engine/resolve"
)

// Error paths of entity fetches, as Apollo Router reports them.
//
// A subgraph reports an entity error at ["_entities", i, ...], i being the
// position of the representation in the (deduplicated) batch the engine
// sent. graphql-go-tools keeps that path when RewriteSubgraphErrorPaths is
// off (a multi-fetch alias becomes "_entities" too), but it does not say
// which response items the representation came from: it merged duplicate
// representations and skipped null ones while building the batch.
//
// The router recovers that mapping from the same data the engine used,
// without touching subgraph bytes or matching message texts:
//
//   - the engine's loader hooks report, in the order the errors are appended
//     to the response, each fetch's subgraph errors (resolve.SubgraphError:
//     data source, response path and the errors with their _entities paths);
//     OnFinished runs under the loader's data lock, after the fetch merged;
//   - a template segment that writes nothing captures the root of the
//     engine's response data while a root fetch renders its input;
//   - for an entity error, OnFinished walks that data along the fetch's path
//     (as the loader selects items: lists expanded, type conditions applied),
//     renders every item's representation with the fetch's own templates,
//     skips and merges them as the loader does, and so learns every response
//     path that representation i stands for;
//   - once the response is rendered, the k-th error whose path starts with
//     "_entities" gets the k-th recorded paths: one copy per path, as Apollo
//     Router does for a representation several list items share.
//
// Without errors the cost is the hooks' (a few allocations per request);
// with one it is proportional to the failing fetch's items, not to the
// response. The representations are rendered after the fetch merged its
// answer: a subgraph that answers an entity with other key values or
// another __typename than it was sent could change the grouping. When the
// mapping cannot be reproduced, the error keeps the fetch's field path
// without indices, as graphql-go-tools' own rewrite would give it.

// entityFetch is what the router needs of one entity fetch of a plan to map
// its error indices to response paths.
type entityFetch struct {
	path      []resolve.FetchItemPathElement
	templates []*resolve.InputTemplate
	skipNull  bool
	skipEmpty bool
	skipErr   bool
}

type fetchKey struct{ dataSource, responsePath string }

// planErrorPaths indexes a plan's entity fetches by what a SubgraphError
// names: the data source and the fetch's response path.
type planErrorPaths struct {
	fetches map[fetchKey]*entityFetch
}

// installErrorPaths indexes the entity fetches of a postprocessed fetch tree
// and makes the root fetches capture the response data root. It returns the
// tree to run (a capture fetch is put first when no root fetch exists, as
// in subscriptions) and nil when the tree has no entity fetch.
func installErrorPaths(root *resolve.FetchTreeNode) (*resolve.FetchTreeNode, *planErrorPaths) {
	p := &planErrorPaths{fetches: map[fetchKey]*entityFetch{}}
	captured := false
	add := func(ds, responsePath string, f *entityFetch) {
		k := fetchKey{ds, responsePath}
		if _, ok := p.fetches[k]; !ok {
			p.fetches[k] = f
		}
	}
	var walk func(n *resolve.FetchTreeNode)
	walk = func(n *resolve.FetchTreeNode) {
		if n == nil {
			return
		}
		for _, c := range n.ChildNodes {
			walk(c)
		}
		if n.Item == nil || n.Item.Fetch == nil {
			return
		}
		item := n.Item
		switch f := item.Fetch.(type) {
		case *resolve.SingleFetch:
			if len(item.FetchPath) == 0 {
				f.InputTemplate.Segments = append([]resolve.TemplateSegment{captureSegment()}, f.InputTemplate.Segments...)
				captured = true
			}
		case *resolve.BatchEntityFetch:
			if f.Info == nil {
				return
			}
			ef := &entityFetch{path: item.FetchPath, skipNull: f.Input.SkipNullItems, skipEmpty: f.Input.SkipEmptyObjectItems, skipErr: f.Input.SkipErrItems}
			for i := range f.Input.Items {
				ef.templates = append(ef.templates, &f.Input.Items[i])
			}
			add(f.Info.DataSourceID, item.ResponsePath, ef)
		case *resolve.EntityFetch:
			if f.Info == nil {
				return
			}
			add(f.Info.DataSourceID, item.ResponsePath, &entityFetch{path: item.FetchPath, templates: []*resolve.InputTemplate{&f.Input.Item}, skipErr: f.Input.SkipErrItem})
		case *resolve.MultiEntityFetch:
			if f.Info == nil {
				return
			}
			for i := range f.Input.Entries {
				e := &f.Input.Entries[i]
				if e.Item == nil {
					continue
				}
				add(f.Info.DataSourceID, e.Item.ResponsePath, &entityFetch{path: e.Item.FetchPath, templates: []*resolve.InputTemplate{&e.Representations},
					skipNull: e.SkipNullItems, skipEmpty: e.SkipEmptyObjectItems, skipErr: e.SkipErrItems})
			}
		}
	}
	walk(root)
	if len(p.fetches) == 0 {
		return root, nil
	}
	if !captured {
		root = resolve.Sequence(captureFetch(), root)
	}
	return root, p
}

// captureSegment renders nothing; it hands the data it is rendered with
// (the response root, in a root fetch) to the request's recorder.
func captureSegment() resolve.TemplateSegment {
	return resolve.TemplateSegment{
		SegmentType:  resolve.VariableSegmentType,
		VariableKind: resolve.ResolvableObjectVariableKind,
		Renderer:     rootCapture{},
	}
}

// captureFetch is a root fetch that only captures the data root: it sends
// nothing over the network and merges an empty object.
func captureFetch() *resolve.FetchTreeNode {
	return resolve.Single(&resolve.SingleFetch{
		FetchDependencies: resolve.FetchDependencies{FetchID: -1},
		InputTemplate: resolve.InputTemplate{Segments: []resolve.TemplateSegment{
			captureSegment(),
			{SegmentType: resolve.StaticSegmentType, Data: []byte(`{}`)},
		}},
		FetchConfiguration: resolve.FetchConfiguration{
			DataSource:     emptySource{},
			PostProcessing: resolve.PostProcessingConfiguration{SelectResponseDataPath: []string{"data"}},
		},
	})
}

type emptySource struct{}

var emptyResponse = []byte(`{"data":{}}`)

func (emptySource) Load(context.Context, http.Header, []byte) ([]byte, error) {
	return emptyResponse, nil
}

func (emptySource) LoadWithFiles(context.Context, http.Header, []byte, []*httpclient.FileUpload) ([]byte, error) {
	return emptyResponse, nil
}

type rootCapture struct{}

func (rootCapture) GetKind() string { return "errorPathsRoot" }

func (rootCapture) RenderVariable(ctx context.Context, data *astjson.Value, _ io.Writer) error {
	if r, ok := ctx.Value(recorderKey{}).(*errorRecorder); ok {
		r.setRoot(data)
	}
	return nil
}

type recorderKey struct{}

// errorRecorder follows one operation (or one subscription) through the
// engine: it is the resolve.Context's loader hooks and records, per
// subgraph error with an _entities path, the response paths it stands for.
type errorRecorder struct {
	rctx *resolve.Context
	plan *planErrorPaths

	mu      sync.Mutex
	root    *astjson.Value
	entries [][][]any
}

func newErrorRecorder(ctx context.Context, rctx *resolve.Context, plan *planErrorPaths) (context.Context, *errorRecorder) {
	r := &errorRecorder{rctx: rctx, plan: plan}
	return context.WithValue(ctx, recorderKey{}, r), r
}

func (r *errorRecorder) setRoot(v *astjson.Value) {
	r.mu.Lock()
	r.root = v
	r.mu.Unlock()
}

// take returns the recorded entries and forgets them and the data root
// (which lives in the engine's arena).
func (r *errorRecorder) take() [][][]any {
	r.mu.Lock()
	defer r.mu.Unlock()
	e := r.entries
	r.entries, r.root = nil, nil
	return e
}

// takeEntries returns the recorded entries and forgets them, keeping the
// data root for the fetches still to come (deferred parts).
func (r *errorRecorder) takeEntries() [][][]any {
	r.mu.Lock()
	defer r.mu.Unlock()
	e := r.entries
	r.entries = nil
	return e
}

// OnLoad implements resolve.LoaderHooks.
func (r *errorRecorder) OnLoad(ctx context.Context, _ resolve.DataSourceInfo) context.Context {
	return ctx
}

// OnFinished implements resolve.LoaderHooks. It runs after the fetch merged,
// under the loader's data lock, once per fetch in the order the fetches'
// errors were appended to the response.
func (r *errorRecorder) OnFinished(_ context.Context, _ resolve.DataSourceInfo, info *resolve.ResponseInfo) {
	if info == nil || info.Err == nil {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	eachSubgraphError(info.Err, func(se *resolve.SubgraphError) {
		f := r.plan.fetches[fetchKey{se.DataSourceInfo.ID, se.Path}]
		var batch *batchItems
		for _, de := range se.DownstreamErrors {
			if de == nil || len(de.Path) < 2 || de.Path[0] != "_entities" {
				continue
			}
			idx, ok := de.Path[1].(float64)
			if !ok {
				continue
			}
			if batch == nil {
				batch = r.selectBatch(f)
			}
			r.entries = append(r.entries, batch.errorPaths(f, int(idx), de.Path[2:]))
		}
	})
}

// eachSubgraphError calls fn for every SubgraphError in err, in order.
func eachSubgraphError(err error, fn func(*resolve.SubgraphError)) {
	if err == nil {
		return
	}
	// A joined error (errors.Join) holds one error per failed fetch.
	if joined, ok := err.(interface{ Unwrap() []error }); ok { //nolint:errorlint // walks the join itself, in order
		for _, x := range joined.Unwrap() {
			eachSubgraphError(x, fn)
		}
		return
	}
	var se *resolve.SubgraphError
	if errors.As(err, &se) {
		fn(se)
	}
}

// batchItems are the items an entity fetch selected, in the loader's
// order, with the position of the representation each one was sent as.
type batchItems struct {
	levels [][]pathItem // per fetch path element, the values selected
	rep    []int        // per item of the last level: representation index, -1 if skipped
	known  bool         // false when the items could not be reproduced
}

// pathItem is a selected value; its path is its parent's (an item of the
// previous level) followed by field names and, for list elements, an index.
type pathItem struct {
	v      *astjson.Value
	parent int
	fields []string
	index  int // -1 when the value is not a list element
}

// selectBatch selects f's items from the response data and renders their
// representations, skipping and merging them as the loader does for the
// batch it sends.
func (r *errorRecorder) selectBatch(f *entityFetch) *batchItems {
	bi := &batchItems{}
	if f == nil || r.root == nil {
		return bi
	}
	cur := []pathItem{{v: r.root, parent: -1, index: -1}}
	for _, el := range f.path {
		if len(el.Path) == 0 {
			continue
		}
		bi.levels = append(bi.levels, cur)
		var next []pathItem
		for i, it := range cur {
			if !allowedByTypename(it.v, el.TypeNames) {
				continue
			}
			v := it.v.Get(el.Path...)
			if v == nil {
				continue
			}
			if v.Type() == astjson.TypeArray {
				for j, e := range v.GetArray() {
					next = append(next, pathItem{v: e, parent: i, fields: el.Path, index: j})
				}
				continue
			}
			next = append(next, pathItem{v: v, parent: i, fields: el.Path, index: -1})
		}
		cur = next
	}
	bi.levels = append(bi.levels, cur)
	bi.rep = make([]int, len(cur))
	seen := make(map[uint64]int, len(cur))
	h := xxhash.New()
	var buf bytes.Buffer
	for i, it := range cur {
		bi.rep[i] = -1
		for _, t := range f.templates {
			buf.Reset()
			if err := t.Render(r.rctx, it.v, &buf); err != nil {
				if f.skipErr {
					continue
				}
				return &batchItems{}
			}
			b := buf.Bytes()
			if f.skipNull && bytes.Equal(b, []byte("null")) || f.skipEmpty && bytes.Equal(b, []byte("{}")) {
				continue
			}
			h.Reset()
			_, _ = h.Write(b)
			k := h.Sum64()
			n, ok := seen[k]
			if !ok {
				n = len(seen)
				seen[k] = n
			}
			bi.rep[i] = n
		}
	}
	bi.known = true
	return bi
}

// errorPaths returns the response paths of an error at ["_entities", idx,
// rest...]: one per item representation idx was rendered from, in list
// order. When the mapping is unknown it falls back to the fetch's field
// path without indices, as graphql-go-tools' own rewrite does, so
// "_entities" never reaches clients.
func (bi *batchItems) errorPaths(f *entityFetch, idx int, rest []any) [][]any {
	var out [][]any
	if bi.known {
		last := len(bi.levels) - 1
		for i, n := range bi.rep {
			if n == idx {
				out = append(out, append(bi.path(last, i), rest...))
			}
		}
	}
	if len(out) > 0 {
		return out
	}
	var p []any
	if f != nil {
		for _, el := range f.path {
			p = append(p, stringsToAny(el.Path)...)
		}
	}
	return [][]any{append(p, rest...)}
}

// path is the response path of item i of a level.
func (bi *batchItems) path(level, i int) []any {
	if level <= 0 || i < 0 {
		return nil
	}
	it := bi.levels[level][i]
	p := bi.path(level-1, it.parent)
	p = append(p, stringsToAny(it.fields)...)
	if it.index >= 0 {
		p = append(p, it.index)
	}
	return p
}

// allowedByTypename applies a fetch path element's type condition as the
// loader does: objects without __typename pass.
func allowedByTypename(v *astjson.Value, typeNames []string) bool {
	if len(typeNames) == 0 || v == nil || v.Type() != astjson.TypeObject {
		return true
	}
	tn := v.GetStringBytes("__typename")
	if tn == nil {
		return true
	}
	for _, n := range typeNames {
		if n == string(tn) {
			return true
		}
	}
	return false
}

func stringsToAny(s []string) []any {
	out := make([]any, len(s))
	for i := range s {
		out[i] = s[i]
	}
	return out
}
