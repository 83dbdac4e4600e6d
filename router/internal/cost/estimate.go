package cost

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/parser"
)

// MutationCost is the base cost of a mutation operation; queries and
// subscriptions have none.
const MutationCost = 10

// ErrSlicingArgument is returned when a field's @listSize requires exactly
// one slicing argument and the operation gives none or several.
var ErrSlicingArgument = errors.New("exactly one slicing argument is required")

// Operation is one normalized operation (fragments inlined) ready to cost.
type Operation struct {
	def *ast.OperationDefinition
}

// ParseOperation reads the operation named opName (the only one when
// empty) from a normalized document the engine already validated.
func ParseOperation(query, opName string) (*Operation, error) {
	doc, err := parser.ParseQuery(&ast.Source{Name: "operation", Input: query})
	if err != nil {
		return nil, fmt.Errorf("cost: parse operation: %w", err)
	}
	for _, op := range doc.Operations {
		if opName == "" || op.Name == opName {
			return &Operation{def: op}, nil
		}
	}
	return nil, fmt.Errorf("cost: operation %q not found", opName)
}

// Variables decodes a request's JSON variables object for costing.
func Variables(raw []byte) (map[string]any, error) {
	vars := map[string]any{}
	if len(raw) == 0 {
		return vars, nil
	}
	dec := json.NewDecoder(strings.NewReader(string(raw)))
	dec.UseNumber()
	if err := dec.Decode(&vars); err != nil {
		return nil, fmt.Errorf("cost: variables: %w", err)
	}
	return vars, nil
}

// Decode reads a response's JSON data for Actual.
func Decode(raw []byte) (any, error) {
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		return nil, fmt.Errorf("cost: response data: %w", err)
	}
	return v, nil
}

func (s *Schema) rootType(op ast.Operation) string {
	switch op {
	case ast.Mutation:
		return s.mutation
	case ast.Subscription:
		return s.sub
	}
	return s.query
}

// estimator computes the static estimate of one operation with one set of
// variables.
type estimator struct {
	s        *Schema
	vars     map[string]any
	listSize float64
}

// sizedParent carries a parent field's expected size down to the child
// fields its @listSize names in sizedFields.
type sizedParent struct {
	fields []string
	size   float64
}

// Estimate returns the static estimated cost of op with vars: each field
// costs (its type weight + the cost of its selections), times its expected
// list size, plus its arguments' cost; a mutation adds MutationCost.
// listSize is the size assumed for lists without @listSize.
func (s *Schema) Estimate(op *Operation, vars map[string]any, listSize int) (float64, error) {
	e := &estimator{s: s, vars: vars, listSize: float64(listSize)}
	total := 0.0
	if op.def.Operation == ast.Mutation {
		total = MutationCost
	}
	c, err := e.selectionSet(op.def.SelectionSet, s.rootType(op.def.Operation), nil)
	return total + c, err
}

func (e *estimator) selectionSet(set ast.SelectionSet, typeName string, sized *sizedParent) (float64, error) {
	total := 0.0
	for _, sel := range set {
		switch x := sel.(type) {
		case *ast.Field:
			c, err := e.field(x, typeName, sized)
			if err != nil {
				return 0, err
			}
			total += c
		case *ast.InlineFragment:
			tn := typeName
			if x.TypeCondition != "" {
				tn = x.TypeCondition
			}
			// Every possible type's selections count: the estimate is an
			// upper bound whatever the runtime type turns out to be.
			c, err := e.selectionSet(x.SelectionSet, tn, sized)
			if err != nil {
				return 0, err
			}
			total += c
		}
	}
	return total, nil
}

func (e *estimator) field(f *ast.Field, parentType string, sized *sizedParent) (float64, error) {
	fi := e.s.fieldOf(parentType, f.Name)
	if fi == nil {
		// Introspection and __typename cost nothing.
		return 0, nil
	}
	instances := 1.0
	if fi.typ.Elem != nil {
		instances = e.listSize
		switch {
		case sized != nil && contains(sized.fields, f.Name):
			instances = sized.size
		case fi.listSize != nil:
			n, ok, err := e.expectedSize(fi, f)
			if err != nil {
				return 0, err
			}
			if ok {
				instances = n
			}
		}
	}
	var childSized *sizedParent
	if fi.listSize != nil && len(fi.listSize.sized) > 0 {
		n, ok, err := e.expectedSize(fi, f)
		if err != nil {
			return 0, err
		}
		if ok {
			childSized = &sizedParent{fields: fi.listSize.sized, size: n}
		}
	}
	children, err := e.selectionSet(f.SelectionSet, fi.typ.Name(), childSized)
	if err != nil {
		return 0, err
	}
	return instances*(e.s.typeWeight(fi)+children) + e.s.argumentsCost(f, fi, e.vars), nil
}

// expectedSize reads a field's @listSize: the largest slicing argument
// given (or defaulted), else the assumed size; ok is false when neither
// applies.
func (e *estimator) expectedSize(fi *fieldInfo, f *ast.Field) (size float64, ok bool, err error) {
	ls := fi.listSize
	if len(ls.slicing) > 0 {
		count := 0
		for _, name := range ls.slicing {
			v, given := e.argValue(fi, f, name)
			n, isInt := toFloat(v)
			if !given || !isInt {
				continue
			}
			count++
			if !ok || n > size {
				size, ok = n, true
			}
		}
		if ls.requireOne && count != 1 {
			return 0, false, fmt.Errorf("%w on field %q (one of %s), got %d", ErrSlicingArgument, f.Name, strings.Join(ls.slicing, ", "), count)
		}
		if ok {
			return size, true, nil
		}
	}
	if ls.assumed != nil {
		return float64(*ls.assumed), true, nil
	}
	return 0, false, nil
}

// argValue returns an argument's value in the operation (variables
// resolved), or its default in the schema.
func (e *estimator) argValue(fi *fieldInfo, f *ast.Field, name string) (any, bool) {
	if a := f.Arguments.ForName(name); a != nil {
		v := resolve(a.Value, e.vars)
		return v, v != nil
	}
	if ai := fi.args[name]; ai != nil && ai.def != nil {
		v := resolve(ai.def, e.vars)
		return v, v != nil
	}
	return nil, false
}

func (s *Schema) fieldOf(typeName, field string) *fieldInfo {
	if strings.HasPrefix(field, "__") {
		return nil
	}
	if t := s.types[typeName]; t != nil {
		return t.fields[field]
	}
	return nil
}

// argumentsCost is the cost of the arguments given to one field: each
// argument's @cost weight (or its type's), and 1 per input object (or its
// @cost) plus its fields' costs, for the values actually given.
func (s *Schema) argumentsCost(f *ast.Field, fi *fieldInfo, vars map[string]any) float64 {
	total := 0.0
	for _, a := range f.Arguments {
		ai := fi.args[a.Name]
		if ai == nil {
			continue
		}
		total += s.valueCost(resolve(a.Value, vars), ai.typ, ai.weight)
	}
	return total
}

func (s *Schema) valueCost(v any, typ *ast.Type, weight *float64) float64 {
	switch x := v.(type) {
	case nil:
		return 0
	case []any:
		elem := typ
		if typ.Elem != nil {
			elem = typ.Elem
		}
		total := 0.0
		for _, item := range x {
			total += s.valueCost(item, elem, weight)
		}
		return total
	case map[string]any:
		t := s.types[typ.Name()]
		if t == nil || t.kind != ast.InputObject {
			break
		}
		total := 1.0
		if weight != nil {
			total = *weight
		} else if t.weight != nil {
			total = *t.weight
		}
		for name, fv := range x {
			if fd := t.fields[name]; fd != nil {
				total += s.valueCost(fv, fd.typ, fd.weight)
			}
		}
		return total
	}
	if weight != nil {
		return *weight
	}
	if t := s.types[typ.Name()]; t != nil && t.weight != nil {
		return *t.weight
	}
	return 0
}

// resolve turns an operation value into plain Go values, reading
// variables from vars.
func resolve(v *ast.Value, vars map[string]any) any {
	if v == nil {
		return nil
	}
	switch v.Kind {
	case ast.Variable:
		return vars[v.Raw]
	case ast.IntValue, ast.FloatValue:
		return json.Number(v.Raw)
	case ast.StringValue, ast.BlockValue, ast.EnumValue:
		return v.Raw
	case ast.BooleanValue:
		return v.Raw == "true"
	case ast.ListValue:
		out := make([]any, 0, len(v.Children))
		for _, c := range v.Children {
			out = append(out, resolve(c.Value, vars))
		}
		return out
	case ast.ObjectValue:
		out := make(map[string]any, len(v.Children))
		for _, c := range v.Children {
			out[c.Name] = resolve(c.Value, vars)
		}
		return out
	}
	return nil
}

func toFloat(v any) (float64, bool) {
	switch x := v.(type) {
	case json.Number:
		f, err := strconv.ParseFloat(string(x), 64)
		return f, err == nil
	case float64:
		return x, true
	case int:
		return float64(x), true
	}
	return 0, false
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
