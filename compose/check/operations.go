package check

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
	"github.com/vektah/gqlparser/v2/parser"
)

// Operation is one client document to check: a .graphql file (which may
// hold several operations and fragments) or one entry of a persisted-query
// manifest.
type Operation struct {
	// Name is how reports name it: the operation names in the document,
	// or the manifest entry's name.
	Name string
	// Source is where it came from: a file path, or manifest path#id.
	Source string
	Body   string
}

// manifest is Apollo's persisted-query manifest, which the router's
// persisted_queries.manifest also reads.
type manifest struct {
	Format     string `json:"format"`
	Version    int    `json:"version"`
	Operations []struct {
		ID   string `json:"id"`
		Name string `json:"name"`
		Type string `json:"type"`
		Body string `json:"body"`
	} `json:"operations"`
}

// LoadOperations reads client operations from path: a directory (every
// .graphql and .gql file under it) or a persisted-query manifest (.json).
func LoadOperations(path string) ([]Operation, error) {
	info, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("operations: %w", err)
	}
	if !info.IsDir() {
		if strings.HasSuffix(path, ".json") {
			return loadManifest(path)
		}
		return loadFile(path)
	}
	var out []Operation
	err = filepath.WalkDir(path, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() || (!strings.HasSuffix(p, ".graphql") && !strings.HasSuffix(p, ".gql")) {
			return nil
		}
		ops, err := loadFile(p)
		out = append(out, ops...)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("operations: %w", err)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("operations: no .graphql or .gql files under %s", path)
	}
	return out, nil
}

func loadFile(path string) ([]Operation, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("operations: %w", err)
	}
	return []Operation{{Name: operationNames(string(b)), Source: path, Body: string(b)}}, nil
}

func loadManifest(path string) ([]Operation, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("operations: %w", err)
	}
	var m manifest
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("operations: %s: %w", path, err)
	}
	if m.Format != "apollo-persisted-query-manifest" || len(m.Operations) == 0 {
		return nil, fmt.Errorf("operations: %s is not a persisted-query manifest with operations (format %q)", path, m.Format)
	}
	out := make([]Operation, 0, len(m.Operations))
	for _, o := range m.Operations {
		name := o.Name
		if name == "" {
			name = operationNames(o.Body)
		}
		out = append(out, Operation{Name: name, Source: path + "#" + o.ID, Body: o.Body})
	}
	return out, nil
}

// operationNames names a document by its operations, for reports.
func operationNames(body string) string {
	doc, err := parser.ParseQuery(&ast.Source{Input: body})
	if err != nil {
		return "(unparsable)"
	}
	var names []string
	for _, o := range doc.Operations {
		if o.Name == "" {
			names = append(names, "(anonymous "+string(o.Operation)+")")
		} else {
			names = append(names, o.Name)
		}
	}
	return strings.Join(names, ", ")
}

// Impact is a change and the listed operations it affects.
type Impact struct {
	Change
	Operations []string `json:"operations,omitempty"`
}

// Broken is a listed operation that does not validate against the new API
// schema.
type Broken struct {
	Name   string   `json:"name"`
	Source string   `json:"source"`
	Errors []string `json:"errors"`
}

// OperationReport says what the changes mean for a set of operations.
type OperationReport struct {
	// Breaking are breaking changes some listed operation uses.
	Breaking []Impact
	// Safe are breaking changes no listed operation uses.
	Safe []Change
	// Dangerous are dangerous changes with the operations they reach.
	Dangerous []Impact
	// Broken are operations the new API schema refuses.
	Broken []Broken
	// Stale are operations the base API schema already refuses: the list
	// is out of date (they are not counted as broken by this change).
	Stale []Broken
}

// Failed reports whether the operations are broken by the change.
func (r OperationReport) Failed() bool { return len(r.Breaking) > 0 || len(r.Broken) > 0 }

// CheckOperations validates every operation against the new API schema and
// attributes each breaking and dangerous change to the operations that use
// what it changes.
func CheckOperations(oldSDL, newSDL string, breaks, dangers []Change, ops []Operation) (OperationReport, error) {
	oldSchema, err := APISchema(oldSDL)
	if err != nil {
		return OperationReport{}, fmt.Errorf("operations: base supergraph: %w", err)
	}
	newSchema, err := APISchema(newSDL)
	if err != nil {
		return OperationReport{}, fmt.Errorf("operations: new supergraph: %w", err)
	}
	var rep OperationReport
	uses := make([]map[string]bool, len(ops))
	for i, op := range ops {
		oldDoc, oldErrs := gqlparser.LoadQueryWithRules(oldSchema, op.Body, nil)
		_, newErrs := gqlparser.LoadQueryWithRules(newSchema, op.Body, nil)
		switch {
		case len(oldErrs) > 0 && len(newErrs) > 0:
			rep.Stale = append(rep.Stale, Broken{Name: op.Name, Source: op.Source, Errors: messages(oldErrs)})
			rep.Broken = append(rep.Broken, Broken{Name: op.Name, Source: op.Source, Errors: messages(newErrs)})
		case len(oldErrs) > 0:
			rep.Stale = append(rep.Stale, Broken{Name: op.Name, Source: op.Source, Errors: messages(oldErrs)})
		case len(newErrs) > 0:
			rep.Broken = append(rep.Broken, Broken{Name: op.Name, Source: op.Source, Errors: messages(newErrs)})
		}
		if oldDoc != nil && len(oldErrs) == 0 {
			uses[i] = usedCoordinates(oldDoc, oldSchema)
		}
	}
	affected := func(c Change) []string {
		var names []string
		for i, op := range ops {
			if uses[i] == nil {
				continue
			}
			for _, t := range triggers(c) {
				if uses[i][t] {
					names = append(names, op.Name+" ("+op.Source+")")
					break
				}
			}
		}
		return names
	}
	for _, b := range breaks {
		if names := affected(b); len(names) > 0 {
			rep.Breaking = append(rep.Breaking, Impact{Change: b, Operations: names})
		} else {
			rep.Safe = append(rep.Safe, b)
		}
	}
	for _, d := range dangers {
		rep.Dangerous = append(rep.Dangerous, Impact{Change: d, Operations: affected(d)})
	}
	return rep, nil
}

func messages(list gqlerror.List) []string {
	out := make([]string, 0, len(list))
	for _, e := range list {
		out = append(out, e.Error())
	}
	return out
}

// triggers are the coordinates whose use by an operation means a change
// reaches it.
func triggers(c Change) []string {
	coord := c.Coordinate
	parentField, _, hasArg := strings.Cut(coord, "(")
	typeName, _, _ := strings.Cut(coord, ".")
	switch c.Code {
	case "REQUIRED_ARGUMENT_ADDED", "ARGUMENT_DEFAULT_CHANGED":
		if hasArg {
			return []string{parentField}
		}
	case "REQUIRED_INPUT_FIELD_ADDED", "TYPE_REMOVED", "TYPE_KIND_CHANGED", "INTERFACE_REMOVED",
		"UNION_MEMBER_REMOVED", "UNION_MEMBER_ADDED", "INTERFACE_IMPLEMENTATION_ADDED", "ENUM_VALUE_ADDED":
		return []string{typeName}
	case "ENUM_VALUE_REMOVED":
		return []string{coord, typeName}
	}
	return []string{coord}
}

// usedCoordinates lists what a validated operation touches: types
// ("T"), fields ("T.f"), arguments ("T.f(a:)"), input fields ("I.x") and
// enum values written as literals ("E.V"). Enums appear as "E" only when
// read in a response or passed through a variable, where any value can
// occur. A variable of an input type uses every field of that type, and of
// the input types below it.
func usedCoordinates(doc *ast.QueryDocument, schema *ast.Schema) map[string]bool {
	u := map[string]bool{}
	seen := map[string]bool{}
	var inputType func(name string)
	inputType = func(name string) {
		def := schema.Types[name]
		if def == nil || seen[name] {
			return
		}
		seen[name] = true
		u[name] = true
		for _, f := range def.Fields {
			u[name+"."+f.Name] = true
			inputType(f.Type.Name())
		}
	}
	var value func(v *ast.Value)
	value = func(v *ast.Value) {
		if v == nil {
			return
		}
		switch {
		case v.Kind == ast.Variable:
			// The variable's type is recorded with the operation's variables.
		case v.Kind == ast.EnumValue && v.Definition != nil:
			u[v.Definition.Name+"."+v.Raw] = true
		case v.Definition != nil:
			u[v.Definition.Name] = true
		}
		for _, c := range v.Children {
			if v.Kind == ast.ObjectValue && v.Definition != nil {
				u[v.Definition.Name+"."+c.Name] = true
			}
			value(c.Value)
		}
	}
	var selections func(set ast.SelectionSet)
	selections = func(set ast.SelectionSet) {
		for _, s := range set {
			switch s := s.(type) {
			case *ast.Field:
				if s.ObjectDefinition == nil || s.Definition == nil || strings.HasPrefix(s.Name, "__") {
					continue
				}
				parent := s.ObjectDefinition.Name
				u[parent] = true
				u[parent+"."+s.Name] = true
				u[s.Definition.Type.Name()] = true
				for _, a := range s.Arguments {
					u[fmt.Sprintf("%s.%s(%s:)", parent, s.Name, a.Name)] = true
					value(a.Value)
				}
				selections(s.SelectionSet)
			case *ast.InlineFragment:
				if s.TypeCondition != "" {
					u[s.TypeCondition] = true
				}
				selections(s.SelectionSet)
			case *ast.FragmentSpread:
				if s.Definition != nil {
					u[s.Definition.TypeCondition] = true
					selections(s.Definition.SelectionSet)
				}
			}
		}
	}
	for _, op := range doc.Operations {
		for _, v := range op.VariableDefinitions {
			u[v.Type.Name()] = true
			inputType(v.Type.Name())
			value(v.DefaultValue)
		}
		selections(op.SelectionSet)
	}
	return u
}

// SortedOperations orders operations by source for stable reports.
func SortedOperations(ops []Operation) {
	sort.Slice(ops, func(i, j int) bool { return ops[i].Source < ops[j].Source })
}
