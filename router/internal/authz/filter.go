package authz

import (
	"strings"

	"github.com/wundergraph/graphql-go-tools/v2/pkg/ast"

	"github.com/shopsupergraph/shop/router/internal/supergraph"
)

// ListSegment stands for "every element" in the path of a removed field
// under a list, as Apollo Router writes it.
const ListSegment = "@"

// Removal is one field taken out of an operation.
type Removal struct {
	// Path is the response path of the field, with ListSegment for each
	// list it is under (["products", "@", "cost"]).
	Path []any
	// Parents are the response keys of the fields enclosing it.
	Parents []string
	// Key is the field's response key (alias or name).
	Key string
	// Next lists the response keys that followed it in its selection set,
	// to put its null back in order.
	Next []string
	// OnTypes restricts it to these concrete parent types (it was inside a
	// fragment on a narrower type); nil means any.
	OnTypes []string
	// ParentType and Field are its coordinate; NamedType is its type.
	ParentType, Field, NamedType string
	// NonNull marks a field whose type is non-null: its parent becomes null.
	NonNull bool
	// Unauthorized is false for a field removed only because every field
	// of its selection was.
	Unauthorized bool
}

// Result is what Filter removed from an operation.
type Result struct {
	// Removed lists, in document order, the fields whose place the
	// response fills with null: the unauthorized fields, or the field
	// above them whose selection they emptied.
	Removed []Removal
	// Denied are the response paths of the unauthorized fields themselves
	// (ListSegment under lists), as reject mode reports them.
	Denied [][]any
	// Empty means no root field is left to execute.
	Empty bool
}

// Filter removes from the selected operation of doc (normalized: no
// fragment spreads) every field the principal may not see, against the
// API schema. Introspection fields and __typename are never removed.
func (a *Authorizer) Filter(doc, schema *ast.Document, p Principal) Result {
	w := &walker{a: a, doc: doc, schema: schema, p: p}
	empty := false
	for _, n := range doc.RootNodes {
		if n.Kind != ast.NodeKindOperationDefinition {
			continue
		}
		op := doc.OperationDefinitions[n.Ref]
		root := rootTypeName(schema, op.OperationType)
		if !op.HasSelections {
			continue
		}
		if w.selectionSet(op.SelectionSet, root, nil, nil, nil) == 0 {
			empty = true
		}
	}
	return Result{Removed: w.removed, Denied: w.denied, Empty: empty}
}

func rootTypeName(schema *ast.Document, t ast.OperationType) string {
	var name string
	switch t {
	case ast.OperationTypeMutation:
		name = schema.Index.MutationTypeName.String()
		if name == "" {
			name = "Mutation"
		}
	case ast.OperationTypeSubscription:
		name = schema.Index.SubscriptionTypeName.String()
		if name == "" {
			name = "Subscription"
		}
	default:
		name = schema.Index.QueryTypeName.String()
		if name == "" {
			name = "Query"
		}
	}
	return name
}

type walker struct {
	a       *Authorizer
	doc     *ast.Document
	schema  *ast.Document
	p       Principal
	removed []Removal
	denied  [][]any
}

// selectionSet filters one selection set whose objects are of type
// parent, and returns how many selections it kept.
func (w *walker) selectionSet(set int, parent string, path []any, parents []string, onTypes []string) int {
	refs := w.doc.SelectionSets[set].SelectionRefs
	kept := refs[:0:0]
	for i, sel := range refs {
		s := w.doc.Selections[sel]
		switch s.Kind {
		case ast.SelectionKindField:
			if w.field(s.Ref, parent, path, parents, onTypes, refs[i+1:]) {
				kept = append(kept, sel)
			}
		case ast.SelectionKindInlineFragment:
			if w.inlineFragment(s.Ref, parent, path, parents, onTypes) {
				kept = append(kept, sel)
			}
		default:
			kept = append(kept, sel)
		}
	}
	w.doc.SelectionSets[set].SelectionRefs = kept
	return len(kept)
}

func (w *walker) nextKeys(refs []int) []string {
	var out []string
	for _, sel := range refs {
		if s := w.doc.Selections[sel]; s.Kind == ast.SelectionKindField {
			out = append(out, w.doc.FieldAliasOrNameString(s.Ref))
		}
	}
	return out
}

// field reports whether the field stays; rest are the selections after it.
func (w *walker) field(ref int, parent string, path []any, parents, onTypes []string, rest []int) bool {
	name := w.doc.FieldNameString(ref)
	if strings.HasPrefix(name, "__") {
		return true
	}
	key := w.doc.FieldAliasOrNameString(ref)
	parentNode, ok := w.schema.Index.FirstNodeByNameStr(parent)
	if !ok {
		return true
	}
	def, ok := w.schema.NodeFieldDefinitionByName(parentNode, []byte(name))
	if !ok {
		return true
	}
	typeRef := w.schema.FieldDefinitionType(def)
	named := w.schema.ResolveTypeNameString(typeRef)
	rm := Removal{
		Path:       append(append([]any{}, path...), key),
		Parents:    parents,
		Key:        key,
		OnTypes:    onTypes,
		ParentType: parent,
		Field:      name,
		NamedType:  named,
		NonNull:    w.schema.TypeIsNonNull(typeRef),
	}
	if !w.fieldAllowed(parent, parentNode, name, named) {
		rm.Unauthorized = true
		rm.Next = w.nextKeys(rest)
		w.removed = append(w.removed, rm)
		w.denied = append(w.denied, rm.Path)
		return false
	}
	if !w.doc.Fields[ref].HasSelections {
		return true
	}
	childPath := rm.Path
	for i := 0; i < listDepth(w.schema, typeRef); i++ {
		childPath = append(childPath, ListSegment)
	}
	childParents := append(append([]string{}, parents...), key)
	before := len(w.removed)
	if w.selectionSet(w.doc.Fields[ref].SelectionSet, named, childPath, childParents, nil) > 0 {
		return true
	}
	// Nothing is left to select: the field goes too, and its null stands
	// in the response for the fields removed under it.
	rm.Next = w.nextKeys(rest)
	w.removed = append(w.removed[:before], rm)
	return false
}

func (w *walker) inlineFragment(ref int, parent string, path []any, parents, onTypes []string) bool {
	cond := parent
	if w.doc.InlineFragmentHasTypeCondition(ref) {
		cond = w.doc.InlineFragmentTypeConditionNameString(ref)
	}
	frag := w.doc.InlineFragments[ref]
	if !frag.HasSelections {
		return true
	}
	fragTypes := onTypes
	if cond != parent {
		fragTypes = w.concrete(cond)
	}
	if acc, ok := w.typeAccess(cond); ok && !w.p.allows(acc) {
		// A fragment on a type the principal may not see: each of its
		// fields is removed for objects of that type.
		w.removeAll(frag.SelectionSet, cond, path, parents, fragTypes)
		return false
	}
	return w.selectionSet(frag.SelectionSet, cond, path, parents, fragTypes) > 0
}

// removeAll records every field of a selection set (and of its nested
// fragments) as unauthorized.
func (w *walker) removeAll(set int, parent string, path []any, parents, onTypes []string) {
	refs := w.doc.SelectionSets[set].SelectionRefs
	for i, sel := range refs {
		s := w.doc.Selections[sel]
		switch s.Kind {
		case ast.SelectionKindField:
			name := w.doc.FieldNameString(s.Ref)
			if strings.HasPrefix(name, "__") {
				continue
			}
			key := w.doc.FieldAliasOrNameString(s.Ref)
			rm := Removal{Path: append(append([]any{}, path...), key), Parents: parents, Key: key,
				Next: w.nextKeys(refs[i+1:]), OnTypes: onTypes, ParentType: parent, Field: name, Unauthorized: true}
			if node, ok := w.schema.Index.FirstNodeByNameStr(parent); ok {
				if def, ok := w.schema.NodeFieldDefinitionByName(node, []byte(name)); ok {
					t := w.schema.FieldDefinitionType(def)
					rm.NonNull, rm.NamedType = w.schema.TypeIsNonNull(t), w.schema.ResolveTypeNameString(t)
				}
			}
			w.removed = append(w.removed, rm)
			w.denied = append(w.denied, rm.Path)
		case ast.SelectionKindInlineFragment:
			if w.doc.InlineFragments[s.Ref].HasSelections {
				w.removeAll(w.doc.InlineFragments[s.Ref].SelectionSet, parent, path, parents, onTypes)
			}
		}
	}
}

// fieldAllowed checks the field's own directives, its type's, and for a
// field of an interface the same field on every implementation (any of
// them may be the one resolved).
func (w *walker) fieldAllowed(parent string, parentNode ast.Node, field, named string) bool {
	if acc, ok := w.a.rules.Fields[parent+"."+field]; ok && !w.p.allows(acc) {
		return false
	}
	for _, t := range w.concreteOrSelf(named) {
		if acc, ok := w.typeAccess(t); ok && !w.p.allows(acc) {
			return false
		}
	}
	if parentNode.Kind == ast.NodeKindInterfaceTypeDefinition {
		impls, _ := w.schema.InterfaceTypeDefinitionImplementedByObjectWithNames(parentNode.Ref)
		for _, impl := range impls {
			if acc, ok := w.a.rules.Fields[impl+"."+field]; ok && !w.p.allows(acc) {
				return false
			}
		}
	}
	return true
}

func (w *walker) typeAccess(name string) (supergraph.Access, bool) {
	acc, ok := w.a.rules.Types[name]
	return acc, ok
}

// concreteOrSelf is the type itself plus, for an interface, its
// implementations (a type directive on any of them guards the field).
func (w *walker) concreteOrSelf(name string) []string {
	out := []string{name}
	node, ok := w.schema.Index.FirstNodeByNameStr(name)
	if ok && node.Kind == ast.NodeKindInterfaceTypeDefinition {
		impls, _ := w.schema.InterfaceTypeDefinitionImplementedByObjectWithNames(node.Ref)
		out = append(out, impls...)
	}
	return out
}

// concrete lists the object types a type condition stands for.
func (w *walker) concrete(name string) []string {
	node, ok := w.schema.Index.FirstNodeByNameStr(name)
	if !ok {
		return []string{name}
	}
	switch node.Kind {
	case ast.NodeKindInterfaceTypeDefinition:
		impls, _ := w.schema.InterfaceTypeDefinitionImplementedByObjectWithNames(node.Ref)
		return impls
	case ast.NodeKindUnionTypeDefinition:
		var out []string
		for _, m := range w.schema.UnionTypeDefinitions[node.Ref].UnionMemberTypes.Refs {
			out = append(out, w.schema.TypeNameString(m))
		}
		return out
	}
	return []string{name}
}

func listDepth(schema *ast.Document, typeRef int) int {
	n := 0
	for typeRef != -1 {
		t := schema.Types[typeRef]
		if t.TypeKind == ast.TypeKindList {
			n++
		}
		if t.TypeKind == ast.TypeKindNamed {
			break
		}
		typeRef = t.OfType
	}
	return n
}
