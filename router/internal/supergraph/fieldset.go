package supergraph

import (
	"fmt"
	"strings"

	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/parser"
)

// parseFieldSet parses a join__FieldSet ("id organization { id }").
func parseFieldSet(fs string) (ast.SelectionSet, error) {
	doc, err := parser.ParseQuery(&ast.Source{Input: "{" + fs + "}"})
	if err != nil {
		return nil, fmt.Errorf("parse field set %q: %w", fs, err)
	}
	if len(doc.Operations) != 1 {
		return nil, fmt.Errorf("parse field set %q: not a selection set", fs)
	}
	return doc.Operations[0].SelectionSet, nil
}

// parseType parses a type reference such as "[String!]!".
func parseType(s string) (*ast.Type, error) {
	doc, err := parser.ParseSchema(&ast.Source{Input: "type T { f: " + s + " }"})
	if err != nil {
		return nil, fmt.Errorf("parse type %q: %w", s, err)
	}
	return doc.Definitions[0].Fields[0].Type, nil
}

// normalizeFieldSet collapses whitespace so that equal field sets compare equal.
func normalizeFieldSet(fs string) string {
	return strings.Join(strings.Fields(strings.NewReplacer("{", " { ", "}", " } ", ",", " ").Replace(fs)), " ")
}
