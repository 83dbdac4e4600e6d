package merge

import (
	"github.com/shopsupergraph/shop/compose/subgraph"
	"github.com/shopsupergraph/shop/compose/supergraph"
	"github.com/vektah/gqlparser/v2/ast"
)

// withInterfaceObjects adds, for a field of an object type, the subgraphs
// that resolve it through an @interfaceObject standing for one of the
// type's interfaces: they resolve the field for this type too, so it must
// be shareable there as anywhere else.
func (m *merger) withInterfaceObjects(dest *supergraph.Type, field string, srcs []*subgraph.Type, fsrc []*subgraph.Field) ([]*subgraph.Type, []*subgraph.Field) {
	var outT []*subgraph.Type
	var outF []*subgraph.Field
	for i := range srcs {
		if srcs[i] != nil {
			continue
		}
		for _, itf := range dest.Interfaces {
			io := m.subs[i].Types[itf]
			if io == nil || io.Kind != ast.Object || !io.InterfaceObject {
				continue
			}
			if f := io.Field(field); f != nil {
				if outT == nil {
					outT = append([]*subgraph.Type(nil), srcs...)
					outF = append([]*subgraph.Field(nil), fsrc...)
				}
				outT[i], outF[i] = io, f
				break
			}
		}
	}
	if outT == nil {
		return srcs, fsrc
	}
	return outT, outF
}
