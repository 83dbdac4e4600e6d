package engine

import (
	"strings"

	"github.com/wundergraph/graphql-go-tools/v2/pkg/engine/plan"
	"github.com/wundergraph/graphql-go-tools/v2/pkg/engine/resolve"
)

// entityKeys records, per subgraph name and type, the top-level fields of
// the keys an entity can be resolved by.
type entityKeys map[string]map[string]map[string]bool

func (k entityKeys) add(subgraph string, md *plan.DataSourceMetadata) {
	for _, key := range md.Keys {
		if key.DisableEntityResolver {
			continue
		}
		if k[subgraph] == nil {
			k[subgraph] = map[string]map[string]bool{}
		}
		if k[subgraph][key.TypeName] == nil {
			k[subgraph][key.TypeName] = map[string]bool{}
		}
		for _, name := range topLevelFields(key.SelectionSet) {
			k[subgraph][key.TypeName][name] = true
		}
	}
}

// topLevelFields returns the outermost field names of a field set.
func topLevelFields(fs string) []string {
	var out []string
	depth := 0
	for _, tok := range strings.Fields(strings.NewReplacer("{", " { ", "}", " } ").Replace(fs)) {
		switch tok {
		case "{":
			depth++
		case "}":
			depth--
		default:
			if depth == 0 {
				out = append(out, tok)
			}
		}
	}
	return out
}

// requireKeyFields marks the key fields of every entity representation as
// non-nullable. A representation whose key field is null cannot identify an
// entity; rendering it then fails and the engine skips the item (the
// entity's fields resolve to null) instead of sending a malformed
// representation to the subgraph.
func (k entityKeys) requireKeyFields(n *resolve.FetchTreeNode) {
	if n == nil {
		return
	}
	for _, c := range n.ChildNodes {
		k.requireKeyFields(c)
	}
	if n.Item == nil || n.Item.Fetch == nil {
		return
	}
	switch f := n.Item.Fetch.(type) {
	case *resolve.BatchEntityFetch:
		if f.Info == nil {
			return
		}
		for i := range f.Input.Items {
			k.fixTemplate(f.Input.Items[i].Segments, k[f.Info.DataSourceName])
		}
	case *resolve.EntityFetch:
		if f.Info == nil {
			return
		}
		k.fixTemplate(f.Input.Item.Segments, k[f.Info.DataSourceName])
	}
}

func (k entityKeys) fixTemplate(segs []resolve.TemplateSegment, keys map[string]map[string]bool) {
	if keys == nil {
		return
	}
	for i := range segs {
		if r, ok := segs[i].Renderer.(*resolve.GraphQLVariableResolveRenderer); ok {
			if obj, ok := r.Node.(*resolve.Object); ok {
				fixRepresentation(obj, keys)
			}
		}
		k.fixTemplate(segs[i].Segments, keys)
	}
}

func fixRepresentation(obj *resolve.Object, keys map[string]map[string]bool) {
	for _, f := range obj.Fields {
		name := string(f.Name)
		for _, tn := range f.OnTypeNames {
			if keys[string(tn)][name] {
				makeNonNull(f.Value)
				break
			}
		}
	}
}

func makeNonNull(n resolve.Node) {
	switch v := n.(type) {
	case *resolve.Scalar:
		v.Nullable = false
	case *resolve.String:
		v.Nullable = false
	case *resolve.Integer:
		v.Nullable = false
	case *resolve.Float:
		v.Nullable = false
	case *resolve.Boolean:
		v.Nullable = false
	case *resolve.BigInt:
		v.Nullable = false
	case *resolve.Enum:
		v.Nullable = false
	case *resolve.CustomNode:
		v.Nullable = false
	case *resolve.Array:
		v.Nullable = false
	case *resolve.Object:
		v.Nullable = false
		for _, f := range v.Fields {
			makeNonNull(f.Value)
		}
	}
}
