package engine

import (
	"github.com/wundergraph/graphql-go-tools/v2/pkg/ast"
	"github.com/wundergraph/graphql-go-tools/v2/pkg/engine/resolve"
)

// serializeMutation reorders a mutation's fetch tree so that each root
// mutation field, together with every entity fetch beneath it, completes
// before the next root field starts: the GraphQL spec runs mutation fields
// serially, and a nested fetch of the first field must not observe the
// effects of the second. graphql-go-tools orders the root fields but lets
// nested fetches overlap with later ones.
func serializeMutation(resp *resolve.GraphQLResponse) {
	if resp == nil || resp.Info == nil || resp.Info.OperationType != ast.OperationTypeMutation || resp.Fetches == nil {
		return
	}
	var singles []*resolve.FetchTreeNode
	var collect func(n *resolve.FetchTreeNode)
	collect = func(n *resolve.FetchTreeNode) {
		if n == nil {
			return
		}
		if n.Kind == resolve.FetchTreeNodeKindSingle && n.Item != nil && n.Item.Fetch != nil {
			singles = append(singles, n)
			return
		}
		for _, c := range n.ChildNodes {
			collect(c)
		}
	}
	collect(resp.Fetches)

	deps := map[int][]int{}
	rootIndex := map[int]int{}
	for _, n := range singles {
		d := n.Item.Fetch.Dependencies()
		if d == nil {
			return
		}
		deps[d.FetchID] = d.DependsOnFetchIDs
		info := n.Item.Fetch.FetchInfo()
		if info != nil && info.OperationType == ast.OperationTypeMutation {
			rootIndex[d.FetchID] = len(rootIndex)
		}
	}
	if len(rootIndex) < 2 {
		return
	}
	memo := map[int]int{}
	var group func(id int, depth int) int
	group = func(id int, depth int) int {
		if g, ok := rootIndex[id]; ok {
			return g
		}
		if g, ok := memo[id]; ok {
			return g
		}
		g := 0
		if depth < len(singles) {
			for _, dep := range deps[id] {
				if dg := group(dep, depth+1); dg > g {
					g = dg
				}
			}
		}
		memo[id] = g
		return g
	}
	groups := make([][]*resolve.FetchTreeNode, len(rootIndex))
	for _, n := range singles {
		g := group(n.Item.Fetch.Dependencies().FetchID, 0)
		groups[g] = append(groups[g], n)
	}
	ordered := make([]*resolve.FetchTreeNode, 0, len(singles))
	for _, g := range groups {
		ordered = append(ordered, g...)
	}
	resp.Fetches = resolve.Sequence(ordered...)
}
