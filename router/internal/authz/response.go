package authz

import (
	"encoding/json"
	"io"
	"slices"

	"github.com/wundergraph/graphql-go-tools/v2/pkg/engine/resolve"
)

// placeholderSource names the data source of the fields Filter removed;
// no fetch ever has it.
const placeholderSource = "authorization"

// AddPlaceholders puts back, in the planned response of a filtered
// operation, a field for every removal. Those fields carry an
// authorization rule that Denier refuses, so the resolver writes null in
// their place with an UNAUTHORIZED_FIELD_OR_TYPE error at their path (one
// per list element), and applies the GraphQL null rules: a non-null field
// makes its parent null, up to data. No fetch selects them.
func AddPlaceholders(data *resolve.Object, removed []Removal) {
	for _, rm := range removed {
		for _, obj := range objectsAt(data, rm.Parents) {
			insert(obj, placeholder(rm), rm.Next)
		}
	}
}

func placeholder(rm Removal) *resolve.Field {
	f := &resolve.Field{
		Name:  []byte(rm.Key),
		Value: &resolve.Scalar{Path: []string{rm.Key}, Nullable: !rm.NonNull},
		Info: &resolve.FieldInfo{
			Name:                 rm.Field,
			ExactParentTypeName:  rm.ParentType,
			ParentTypeNames:      []string{rm.ParentType},
			NamedType:            rm.NamedType,
			Source:               resolve.TypeFieldSource{IDs: []string{placeholderSource}, Names: []string{placeholderSource}},
			HasAuthorizationRule: true,
		},
	}
	for _, t := range rm.OnTypes {
		f.OnTypeNames = append(f.OnTypeNames, []byte(t))
	}
	return f
}

// insert adds f before the first of the fields that followed it in the
// operation, or last.
func insert(obj *resolve.Object, f *resolve.Field, next []string) {
	at := len(obj.Fields)
	for i, existing := range obj.Fields {
		if slices.Contains(next, string(existing.Name)) {
			at = i
			break
		}
	}
	obj.Fields = slices.Insert(obj.Fields, at, f)
}

// objectsAt returns the objects reached from o by following response keys
// (through lists).
func objectsAt(o *resolve.Object, keys []string) []*resolve.Object {
	if o == nil {
		return nil
	}
	if len(keys) == 0 {
		return []*resolve.Object{o}
	}
	var out []*resolve.Object
	for _, f := range o.Fields {
		if string(f.Name) != keys[0] {
			continue
		}
		for _, child := range objectsIn(f.Value) {
			out = append(out, objectsAt(child, keys[1:])...)
		}
	}
	return out
}

func objectsIn(n resolve.Node) []*resolve.Object {
	switch x := n.(type) {
	case *resolve.Object:
		return []*resolve.Object{x}
	case *resolve.Array:
		if x != nil {
			return objectsIn(x.Item)
		}
	}
	return nil
}

// Denier is the resolver's authorizer for filtered operations: the only
// fields with an authorization rule are the placeholders, and it refuses
// them all. It never blocks a fetch.
type Denier struct{}

// AuthorizePreFetch lets every fetch through: unauthorized fields are not
// in any of them.
func (Denier) AuthorizePreFetch(*resolve.Context, string, json.RawMessage, resolve.GraphCoordinate) (*resolve.AuthorizationDeny, error) {
	return nil, nil
}

// AuthorizeObjectField refuses a placeholder.
func (Denier) AuthorizeObjectField(*resolve.Context, string, json.RawMessage, resolve.GraphCoordinate) (*resolve.AuthorizationDeny, error) {
	return &resolve.AuthorizationDeny{}, nil
}

// HasResponseExtensionData reports that nothing is added to extensions.
func (Denier) HasResponseExtensionData(*resolve.Context) bool { return false }

// RenderResponseExtension writes nothing.
func (Denier) RenderResponseExtension(*resolve.Context, io.Writer) error { return nil }
