package cost

import (
	"github.com/vektah/gqlparser/v2/ast"
)

// Actual measures the cost of a response to op: the same weights as the
// estimate, counted on what the subgraphs returned (each list by its real
// length, null values for nothing). data is the decoded response "data".
func (s *Schema) Actual(op *Operation, vars map[string]any, data any) float64 {
	total := 0.0
	if op.def.Operation == ast.Mutation {
		total = MutationCost
	}
	obj, ok := data.(map[string]any)
	if !ok {
		return total
	}
	return total + s.actualSet(op.def.SelectionSet, s.rootType(op.def.Operation), obj, vars, map[string]bool{})
}

// actualSet costs the fields of one response object; seen keeps a response
// key that several fragments select from counting twice.
func (s *Schema) actualSet(set ast.SelectionSet, typeName string, obj map[string]any, vars map[string]any, seen map[string]bool) float64 {
	total := 0.0
	runtime, _ := obj["__typename"].(string)
	for _, sel := range set {
		switch x := sel.(type) {
		case *ast.Field:
			key := x.Alias
			if key == "" {
				key = x.Name
			}
			val, present := obj[key]
			if !present || seen[key] {
				continue
			}
			seen[key] = true
			fi := s.fieldOf(typeName, x.Name)
			if fi == nil {
				continue
			}
			total += s.argumentsCost(x, fi, vars) + s.actualValue(x, fi, val, vars)
		case *ast.InlineFragment:
			tn := typeName
			if x.TypeCondition != "" {
				tn = x.TypeCondition
			}
			if runtime != "" && tn != runtime && s.types[tn] != nil && s.types[tn].kind == ast.Object {
				continue
			}
			total += s.actualSet(x.SelectionSet, tn, obj, vars, seen)
		}
	}
	return total
}

func (s *Schema) actualValue(f *ast.Field, fi *fieldInfo, val any, vars map[string]any) float64 {
	switch v := val.(type) {
	case nil:
		return 0
	case []any:
		total := 0.0
		for _, item := range v {
			total += s.actualValue(f, fi, item, vars)
		}
		return total
	case map[string]any:
		tn := fi.typ.Name()
		if rt, ok := v["__typename"].(string); ok && s.types[rt] != nil {
			tn = rt
		}
		return s.typeWeight(fi) + s.actualSet(f.SelectionSet, tn, v, vars, map[string]bool{})
	}
	return s.typeWeight(fi)
}
