// Package subgraph reads one Apollo Federation subgraph SDL (Federation 1 or
// 2) into a normalized model: federation directives under their canonical
// names whatever the subgraph imported them as, type extensions folded into
// their types, root types renamed to Query/Mutation/Subscription, and the
// federation metadata composition needs (keys, externals, shareability).
package subgraph

import "github.com/vektah/gqlparser/v2/ast"

// Subgraph is one parsed and validated subgraph.
type Subgraph struct {
	Name string
	URL  string
	// Fed2 is true when the schema links the federation v2 spec.
	Fed2 bool
	// Minor is the federation 2 minor version (2.Minor); 0 for Federation 1.
	Minor int
	// Types holds every named type, in definition order through Order.
	Types map[string]*Type
	Order []string
	// Directives holds the custom directive definitions (federation and link
	// directives are not included).
	Directives map[string]*ast.DirectiveDefinition
	// Composed lists the custom directives named by @composeDirective.
	Composed []string
	// Links are the non-federation @link applications (for composed directives).
	Links []Link
	// UsesInaccessible and UsesTag tell composition which features to link.
	UsesInaccessible bool
	UsesTag          bool
	// Access maps each access-control directive the subgraph applies
	// (authenticated, requiresScopes, policy) to the name it applies it
	// under, which the supergraph keeps (an `as:` import renames it).
	Access map[string]string
	// Cost maps each demand-control directive the subgraph applies (cost,
	// listSize) to the name it applies it under, as Access does.
	Cost map[string]string
	// ContextName is the name the subgraph applies @context under ("" when
	// it sets no context); UsesFromContext is set when it reads one.
	ContextName     string
	UsesFromContext bool
}

// Link is a non-federation @link of the subgraph.
type Link struct {
	URL     string
	Imports []string
	Raw     *ast.Directive
}

// Type is one named type with its extensions merged in.
type Type struct {
	Name        string
	Kind        ast.DefinitionKind
	Description string
	// HasBase is false when the type appears only through `extend`.
	HasBase bool
	// Extends is true for @extends (Federation 1 style extension).
	Extends         bool
	InterfaceObject bool
	Shareable       bool
	Inaccessible    bool
	Interfaces      []string
	Fields          []*Field
	Values          []*EnumValue
	Members         []string
	Keys            []Key
	// Applied holds the non-federation directives applied to the type plus
	// @inaccessible and @tag, under their canonical names.
	Applied ast.DirectiveList
}

// Key is one @key application.
type Key struct {
	Fields     string
	Resolvable bool
	// ResolvableWritten is true when the application spells out the
	// resolvable argument, whatever its value.
	ResolvableWritten bool
	// Extension is true when the key was declared on `extend type` (Fed 2)
	// or on a type marked @extends.
	Extension bool
}

// Field is a field of an object, interface or input object type.
type Field struct {
	Def *ast.FieldDefinition
	// FromExtension tells which part of the type declared the field.
	FromExtension bool
	External      bool
	Shareable     bool
	Inaccessible  bool
	HasRequires   bool
	Requires      string
	HasProvides   bool
	Provides      string
	HasOverride   bool
	OverrideFrom  string
	OverrideLabel string
	// Applied holds the directives that survive into the supergraph
	// (@inaccessible, @tag, access control, @deprecated, composed ones).
	Applied ast.DirectiveList
	// ContextArgs are the arguments filled from a context (@fromContext);
	// they are also in Def.Arguments.
	ContextArgs []ContextArg

	// Computed by the analysis pass.
	fakeExternal bool
	provided     bool
	used         bool
	keyField     bool
	shareByProv  bool
}

// EnumValue is one value of an enum type.
type EnumValue struct {
	Def     *ast.EnumValueDefinition
	Applied ast.DirectiveList
}

// Field returns the named field or nil.
func (t *Type) Field(name string) *Field {
	for _, f := range t.Fields {
		if f.Def.Name == name {
			return f
		}
	}
	return nil
}

// Value returns the named enum value or nil.
func (t *Type) Value(name string) *EnumValue {
	for _, v := range t.Values {
		if v.Def.Name == name {
			return v
		}
	}
	return nil
}

// HasMember reports whether a union lists the member type.
func (t *Type) HasMember(name string) bool {
	for _, m := range t.Members {
		if m == name {
			return true
		}
	}
	return false
}

// Implements reports whether the type declares the interface.
func (t *Type) Implements(name string) bool {
	for _, i := range t.Interfaces {
		if i == name {
			return true
		}
	}
	return false
}

// IsExternal reports whether the field is external for composition: marked
// @external and not one of the "fake" externals on key fields of extensions.
func (f *Field) IsExternal() bool { return f.External && !f.fakeExternal }

// IsFullyExternal reports an external field that no @provides makes local.
func (f *Field) IsFullyExternal() bool { return f.IsExternal() && !f.provided }

// IsUsed reports whether a @key, @requires, @provides or an interface needs
// the field.
func (f *Field) IsUsed() bool { return f.used }

// Type returns the named type or nil.
func (s *Subgraph) Type(name string) *Type { return s.Types[name] }
