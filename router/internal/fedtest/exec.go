package fedtest

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"reflect"

	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

// FieldFunc computes a field value from the field's coerced arguments. It can
// stand anywhere a value can: as a root field or as a field of returned data.
type FieldFunc func(args map[string]any) (any, error)

// HeaderFunc is a FieldFunc that also sees the HTTP headers of the request
// the subgraph received, for testing header propagation.
type HeaderFunc func(args map[string]any, header http.Header) (any, error)

// EntityFunc resolves one _entities representation. Returning a nil map means
// the entity does not exist here and yields null in the _entities list. The
// result may set "__typename" (needed when the representation names an
// interface); it defaults to the representation's typename.
type EntityFunc func(representation map[string]any) (map[string]any, error)

// Resolvers hold a subgraph's data.
type Resolvers struct {
	// Root maps a root type name ("Query", "Mutation") to its fields' values.
	// A value is plain data or a FieldFunc.
	Root map[string]map[string]any
	// Entities maps a representation's __typename to its resolver.
	Entities map[string]EntityFunc
}

// executor runs one validated operation against a subgraph's resolvers.
type executor struct {
	schema    *ast.Schema
	resolvers Resolvers
	sdl       string
	vars      map[string]any
	header    http.Header
	fragments ast.FragmentDefinitionList
	errs      gqlerror.List
}

// execute runs op and returns the data object (nil when a non-null root field
// nulled the whole response).
func (e *executor) execute(op *ast.OperationDefinition) any {
	var root *ast.Definition
	switch op.Operation {
	case ast.Mutation:
		root = e.schema.Mutation
	case ast.Subscription:
		root = e.schema.Subscription
	default:
		root = e.schema.Query
	}
	if root == nil {
		e.errs = append(e.errs, gqlerror.Errorf("schema has no %s type", op.Operation))
		return nil
	}
	data, ok := e.selectionSet(root, e.rootValue(root.Name), op.SelectionSet, ast.Path{})
	if !ok {
		return nil
	}
	return data
}

func (e *executor) rootValue(typeName string) map[string]any {
	v := map[string]any{}
	for k, val := range e.resolvers.Root[typeName] {
		v[k] = val
	}
	if typeName == e.schema.Query.Name {
		v["_service"] = map[string]any{"sdl": e.sdl}
		v["_entities"] = FieldFunc(e.entities)
	}
	return v
}

// entities resolves the _entities field; per-representation errors are
// reported by returning an entityError in that list position.
func (e *executor) entities(args map[string]any) (any, error) {
	reps, _ := args["representations"].([]any)
	out := make([]any, len(reps))
	for i, r := range reps {
		rep, ok := r.(map[string]any)
		if !ok {
			out[i] = entityError{fmt.Errorf("representation %d is not an object", i)}
			continue
		}
		typename, _ := rep["__typename"].(string)
		fn := e.resolvers.Entities[typename]
		if fn == nil {
			out[i] = entityError{fmt.Errorf("no entity resolver for type %q", typename)}
			continue
		}
		res, err := fn(rep)
		if err != nil {
			out[i] = entityError{err}
			continue
		}
		if res == nil {
			continue
		}
		if _, ok := res["__typename"]; !ok {
			copied := make(map[string]any, len(res)+1)
			for k, v := range res {
				copied[k] = v
			}
			copied["__typename"] = typename
			res = copied
		}
		out[i] = res
	}
	return out, nil
}

// entityError marks a list position whose resolution failed.
type entityError struct{ err error }

// group is the fields sharing one response key.
type group struct {
	key    string
	fields []*ast.Field
}

func (e *executor) selectionSet(typ *ast.Definition, parent map[string]any, set ast.SelectionSet, path ast.Path) (any, bool) {
	out := newObject()
	for _, g := range e.collect(typ, set, nil, map[string]bool{}) {
		f := g.fields[0]
		fpath := append(append(ast.Path{}, path...), ast.PathName(g.key))
		if f.Name == "__typename" {
			out.set(g.key, typ.Name)
			continue
		}
		def := typ.Fields.ForName(f.Name)
		if def == nil {
			e.errs = append(e.errs, gqlerror.ErrorPathf(fpath, "Cannot query field %q on type %q.", f.Name, typ.Name))
			out.set(g.key, nil)
			continue
		}
		val, err := e.fieldValue(parent[f.Name], f)
		if err != nil {
			e.addError(err, fpath)
		}
		v, ok := e.complete(def.Type, g.fields, val, fpath, err != nil, typ.Name+"."+f.Name)
		if !ok {
			return nil, false
		}
		out.set(g.key, v)
	}
	return out, true
}

func (e *executor) fieldValue(raw any, f *ast.Field) (any, error) {
	var fn FieldFunc
	switch v := raw.(type) {
	case FieldFunc:
		fn = v
	case func(map[string]any) (any, error):
		fn = v
	case HeaderFunc:
		return v(normalizeArgs(f.ArgumentMap(e.vars)), e.header)
	default:
		return raw, nil
	}
	return fn(normalizeArgs(f.ArgumentMap(e.vars)))
}

func (e *executor) addError(err error, path ast.Path) {
	var gerr *gqlerror.Error
	if errors.As(err, &gerr) {
		c := *gerr
		c.Path = path
		e.errs = append(e.errs, &c)
		return
	}
	e.errs = append(e.errs, &gqlerror.Error{Message: err.Error(), Path: path})
}

// complete coerces val to typ. ok=false asks the caller to null its parent
// because a non-null position became null.
func (e *executor) complete(typ *ast.Type, fields []*ast.Field, val any, path ast.Path, errored bool, coord string) (any, bool) {
	if typ.NonNull {
		inner := *typ
		inner.NonNull = false
		v, ok := e.completeNullable(&inner, fields, val, path, errored, coord)
		if ok && v == nil {
			if !errored {
				e.errs = append(e.errs, gqlerror.ErrorPathf(path, "Cannot return null for non-nullable field %s.", coord))
			}
			return nil, false
		}
		return v, ok
	}
	v, ok := e.completeNullable(typ, fields, val, path, errored, coord)
	if !ok {
		return nil, true
	}
	return v, true
}

func (e *executor) completeNullable(typ *ast.Type, fields []*ast.Field, val any, path ast.Path, errored bool, coord string) (any, bool) {
	if ee, isErr := val.(entityError); isErr {
		e.addError(ee.err, path)
		return nil, true
	}
	if isNil(val) || errored {
		return nil, true
	}
	if typ.Elem != nil {
		rv := reflect.ValueOf(val)
		if rv.Kind() != reflect.Slice {
			e.errs = append(e.errs, gqlerror.ErrorPathf(path, "Expected a list for field %s.", coord))
			return nil, true
		}
		items := make([]any, rv.Len())
		for i := range items {
			ipath := append(append(ast.Path{}, path...), ast.PathIndex(i))
			v, ok := e.complete(typ.Elem, fields, rv.Index(i).Interface(), ipath, false, coord)
			if !ok {
				return nil, false
			}
			items[i] = v
		}
		return items, true
	}
	def := e.schema.Types[typ.NamedType]
	switch def.Kind {
	case ast.Scalar:
		return val, true
	case ast.Enum:
		s := fmt.Sprint(val)
		if def.EnumValues.ForName(s) == nil {
			e.errs = append(e.errs, gqlerror.ErrorPathf(path, "Enum %q cannot represent value: %q", def.Name, s))
			return nil, true
		}
		return s, true
	}
	obj, isMap := val.(map[string]any)
	if !isMap {
		e.errs = append(e.errs, gqlerror.ErrorPathf(path, "Expected an object for field %s.", coord))
		return nil, true
	}
	concrete := def
	if def.IsAbstractType() {
		name, _ := obj["__typename"].(string)
		concrete = e.schema.Types[name]
		if concrete == nil || !e.possible(def, concrete) {
			e.errs = append(e.errs, gqlerror.ErrorPathf(path, "Abstract type %q must resolve to an object type at runtime for field %s. Got %q.", def.Name, coord, name))
			return nil, true
		}
	}
	var set ast.SelectionSet
	for _, f := range fields {
		set = append(set, f.SelectionSet...)
	}
	return e.selectionSet(concrete, obj, set, path)
}

func (e *executor) possible(abstract, concrete *ast.Definition) bool {
	for _, p := range e.schema.GetPossibleTypes(abstract) {
		if p.Name == concrete.Name {
			return true
		}
	}
	return false
}

// collect groups the selections that apply to typ by response key, in
// document order, applying @skip/@include and fragment type conditions.
func (e *executor) collect(typ *ast.Definition, set ast.SelectionSet, groups []*group, visited map[string]bool) []*group {
	for _, sel := range set {
		switch s := sel.(type) {
		case *ast.Field:
			if !e.included(s.Directives) {
				continue
			}
			key := s.Alias
			if key == "" {
				key = s.Name
			}
			found := false
			for _, g := range groups {
				if g.key == key {
					g.fields = append(g.fields, s)
					found = true
					break
				}
			}
			if !found {
				groups = append(groups, &group{key: key, fields: []*ast.Field{s}})
			}
		case *ast.InlineFragment:
			if !e.included(s.Directives) || !e.applies(s.TypeCondition, typ) {
				continue
			}
			groups = e.collect(typ, s.SelectionSet, groups, visited)
		case *ast.FragmentSpread:
			if !e.included(s.Directives) || visited[s.Name] {
				continue
			}
			frag := e.fragments.ForName(s.Name)
			if frag == nil || !e.applies(frag.TypeCondition, typ) {
				continue
			}
			visited[s.Name] = true
			groups = e.collect(typ, frag.SelectionSet, groups, visited)
		}
	}
	return groups
}

func (e *executor) applies(cond string, typ *ast.Definition) bool {
	if cond == "" || cond == typ.Name {
		return true
	}
	def := e.schema.Types[cond]
	return def != nil && def.IsAbstractType() && e.possible(def, typ)
}

func (e *executor) included(dirs ast.DirectiveList) bool {
	if d := dirs.ForName("skip"); d != nil {
		if v, _ := d.ArgumentMap(e.vars)["if"].(bool); v {
			return false
		}
	}
	if d := dirs.ForName("include"); d != nil {
		if v, _ := d.ArgumentMap(e.vars)["if"].(bool); !v {
			return false
		}
	}
	return true
}

// normalizeArgs turns json.Number values (from variables) into int64 or
// float64, so resolvers see the same Go types as for inline literals.
func normalizeArgs(v map[string]any) map[string]any {
	out := make(map[string]any, len(v))
	for k, val := range v {
		out[k] = normalizeValue(val)
	}
	return out
}

func normalizeValue(v any) any {
	switch t := v.(type) {
	case json.Number:
		if i, err := t.Int64(); err == nil {
			return i
		}
		f, _ := t.Float64()
		return f
	case map[string]any:
		return normalizeArgs(t)
	case []any:
		out := make([]any, len(t))
		for i, x := range t {
			out[i] = normalizeValue(x)
		}
		return out
	}
	return v
}

// isNil reports nil, including typed nil maps, slices and funcs stored in an
// interface (a Table.Find miss returns a nil Obj).
func isNil(v any) bool {
	if v == nil {
		return true
	}
	switch rv := reflect.ValueOf(v); rv.Kind() {
	case reflect.Map, reflect.Slice, reflect.Pointer, reflect.Func, reflect.Interface:
		return rv.IsNil()
	}
	return false
}
