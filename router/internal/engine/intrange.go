package engine

import (
	"math"
	"strconv"
	"strings"

	"github.com/wundergraph/astjson"
	"github.com/wundergraph/graphql-go-tools/v2/pkg/ast"
)

// checkIntVariables refuses variable values in Int positions that GraphQL's
// Int cannot represent: numbers outside the signed 32-bit range or with a
// fraction, at any depth of lists and input objects. graphql-go-tools checks
// this for literals in the document but only checks that a variable's value
// is a JSON number, so 2147483648 would otherwise reach the subgraphs.
// It runs after the variables are normalized (defaults applied, single
// values coerced to lists) and validated for their shape, so it only looks
// at numbers.
func (e *Engine) checkIntVariables(doc *ast.Document) *RequestError {
	if len(doc.VariableDefinitions) == 0 {
		return nil
	}
	vars, err := astjson.ParseBytes(doc.Input.Variables)
	if err != nil || vars.Type() != astjson.TypeObject {
		return nil // the variables validator reports malformed variables
	}
	for _, n := range doc.RootNodes {
		if n.Kind != ast.NodeKindOperationDefinition {
			continue
		}
		for _, ref := range doc.OperationDefinitions[n.Ref].VariableDefinitions.Refs {
			name := doc.VariableDefinitionNameString(ref)
			c := intChecker{schema: e.client, variable: name}
			if v := vars.Get(name); v != nil {
				if re := c.check(doc, doc.VariableDefinitionType(ref), v, name); re != nil {
					return re
				}
			}
		}
	}
	return nil
}

// intChecker walks one variable's value along its type.
type intChecker struct {
	schema   *ast.Document
	variable string
}

// check validates v against the type typeRef of doc: the operation for the
// variable's own type, the schema for input object fields.
func (c intChecker) check(doc *ast.Document, typeRef int, v *astjson.Value, path string) *RequestError {
	if v.Type() == astjson.TypeNull {
		return nil
	}
	t := doc.Types[typeRef]
	switch t.TypeKind {
	case ast.TypeKindNonNull:
		return c.check(doc, t.OfType, v, path)
	case ast.TypeKindList:
		items, err := v.Array()
		if err != nil { // a single value stands for a list of one
			return c.check(doc, t.OfType, v, path)
		}
		for i, item := range items {
			if re := c.check(doc, t.OfType, item, path+"["+strconv.Itoa(i)+"]"); re != nil {
				return re
			}
		}
		return nil
	}
	name := doc.TypeNameString(typeRef)
	if name == "Int" {
		return c.checkInt(v, path)
	}
	node, ok := c.schema.Index.FirstNodeByNameStr(name)
	if !ok || node.Kind != ast.NodeKindInputObjectTypeDefinition || v.Type() != astjson.TypeObject {
		return nil
	}
	for _, field := range c.schema.NodeInputFieldDefinitions(node) {
		fieldName := c.schema.InputValueDefinitionNameString(field)
		if fv := v.Get(fieldName); fv != nil {
			if re := c.check(c.schema, c.schema.InputValueDefinitionType(field), fv, path+"."+fieldName); re != nil {
				return re
			}
		}
	}
	return nil
}

func (c intChecker) checkInt(v *astjson.Value, path string) *RequestError {
	if v.Type() != astjson.TypeNumber {
		return nil // the variables validator reports values of the wrong kind
	}
	text := string(v.MarshalTo(nil))
	if _, err := strconv.ParseInt(text, 10, 32); err == nil {
		return nil
	}
	// JSON allows 1e3 or 2.0 for an integer; GraphQL accepts such values
	// when they are whole numbers within range.
	f, err := strconv.ParseFloat(text, 64)
	switch {
	case err == nil && f == math.Trunc(f) && f >= math.MinInt32 && f <= math.MaxInt32:
		return nil
	case err == nil && f != math.Trunc(f):
		return c.refuse(path, text, "Int cannot represent non-integer value: "+text)
	}
	return c.refuse(path, text, "Int cannot represent non 32-bit signed integer value: "+text)
}

// refuse words the error as graphql-js does, with the path inside the
// variable when the value is nested.
func (c intChecker) refuse(path, value, reason string) *RequestError {
	var b strings.Builder
	b.WriteString(`Variable "$` + c.variable + `" got invalid value ` + value)
	if path != c.variable {
		b.WriteString(` at "` + path + `"`)
	}
	b.WriteString("; " + reason)
	return newRequestError(KindVariables, codeBadUserInput, "%s", b.String())
}
