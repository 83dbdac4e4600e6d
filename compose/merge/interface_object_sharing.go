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

// validateInterfaceObjectSharing checks a field several @interfaceObject
// types declare for the same interface: each of them resolves it for every
// implementation, so it must be shareable in all of them.
func (m *merger) validateInterfaceObjectSharing(dest *supergraph.Type, field string, srcs []*subgraph.Type, fsrc []*subgraph.Field, ov *overrides) {
	ioT := make([]*subgraph.Type, len(srcs))
	ioF := make([]*subgraph.Field, len(fsrc))
	count := 0
	for i, t := range srcs {
		if t != nil && t.Kind == ast.Object && t.InterfaceObject && fsrc[i] != nil {
			ioT[i], ioF[i] = t, fsrc[i]
			count++
		}
	}
	if count > 1 && m.implemented(dest.Name) {
		m.validateSharing(dest.Name+"."+field, ioT, ioF, ov)
	}
}

// implemented reports whether some subgraph has an object type
// implementing the interface (without one, the field is never resolved).
func (m *merger) implemented(itf string) bool {
	for _, s := range m.subs {
		for _, t := range s.Types {
			if t.Kind == ast.Object && t.Implements(itf) {
				return true
			}
		}
	}
	return false
}
