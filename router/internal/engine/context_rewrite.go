package engine

import (
	"bytes"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/vektah/gqlparser/v2"
	vast "github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/formatter"
	"github.com/vektah/gqlparser/v2/parser"

	"github.com/shopsupergraph/shop/router/internal/supergraph"
)

// Context arguments (@fromContext) are filled by the router. Planning
// prepares them in three steps (context_fetch.go runs them):
//
//   - the operation is rewritten: every ancestor that sets a context a
//     selected field reads gets the context's selection under a hidden
//     alias, and the field gets its argument as a variable
//     ($contextualArgument_N, as Apollo names it);
//   - the subgraph resolves such fields only in its context data source,
//     by entity fetch, which the planner makes depend on every fetch above
//     it, so that the ancestors' hidden values are in the response data;
//   - when that fetch renders its representations it finds, for each
//     entity, the nearest ancestor's value and adds it to the
//     representation; the context data source sends one _entities request
//     per distinct value, with the value as the argument's variable.

const (
	ctxAliasPrefix = "_ctx"
	ctxVarPrefix   = "contextualArgument_"
)

// contextBinding is one context argument of one field occurrence.
type contextBinding struct {
	// Var is the variable the field's argument takes.
	Var string
	// Alias holds the selected value on the ancestor; TypeAlias its
	// __typename when the selection has type conditions.
	Alias     string
	TypeAlias string
	// Dig is the path from the aliased field to the value, by the
	// ancestor's type name ("" when the selection has no type condition).
	Dig map[string][]string
}

// contextRewriter rewrites operations for context arguments.
type contextRewriter struct {
	schema *vast.Schema
	ctx    supergraph.Contexts
}

func newContextRewriter(routerSDL string, ctx supergraph.Contexts) (*contextRewriter, error) {
	schema, err := gqlparser.LoadSchema(&vast.Source{Name: "router", Input: routerSDL})
	if err != nil {
		return nil, fmt.Errorf("context arguments: router schema: %w", err)
	}
	return &contextRewriter{schema: schema, ctx: ctx}, nil
}

type ctxFrame struct {
	field *vast.Field
	typ   string
}

// rewrite returns the operation with context selections and arguments
// added, and the bindings it made; the operation is returned unchanged
// when no selected field takes a context argument.
func (c *contextRewriter) rewrite(query string) (string, []contextBinding, error) {
	doc, err := parser.ParseQuery(&vast.Source{Input: query})
	if err != nil {
		return "", nil, fmt.Errorf("context arguments: %w", err)
	}
	var bindings []contextBinding
	for _, op := range doc.Operations {
		root := c.rootType(op.Operation)
		if root == "" {
			continue
		}
		w := &ctxWalk{c: c, op: op, bindings: &bindings}
		if err := w.walk(op.SelectionSet, root, nil); err != nil {
			return "", nil, err
		}
	}
	if len(bindings) == 0 {
		return query, nil, nil
	}
	var buf bytes.Buffer
	formatter.NewFormatter(&buf, formatter.WithIndent(" ")).FormatQueryDocument(doc)
	return buf.String(), bindings, nil
}

func (c *contextRewriter) rootType(op vast.Operation) string {
	var d *vast.Definition
	switch op {
	case vast.Query:
		d = c.schema.Query
	case vast.Mutation:
		d = c.schema.Mutation
	case vast.Subscription:
		d = c.schema.Subscription
	}
	if d == nil {
		return ""
	}
	return d.Name
}

type ctxWalk struct {
	c        *contextRewriter
	op       *vast.OperationDefinition
	bindings *[]contextBinding
}

func (w *ctxWalk) walk(set vast.SelectionSet, typ string, stack []ctxFrame) error {
	def := w.c.schema.Types[typ]
	if def == nil {
		return nil
	}
	for _, sel := range set {
		switch s := sel.(type) {
		case *vast.Field:
			if strings.HasPrefix(s.Name, "__") {
				continue
			}
			fd := def.Fields.ForName(s.Name)
			if fd == nil {
				continue
			}
			if cf, ok := w.c.ctx.Fields[typ+"."+s.Name]; ok {
				for _, a := range cf.Args {
					if err := w.bind(s, a, stack); err != nil {
						return err
					}
				}
			}
			if len(s.SelectionSet) > 0 {
				if err := w.walk(s.SelectionSet, fd.Type.Name(), append(stack, ctxFrame{field: s, typ: fd.Type.Name()})); err != nil {
					return err
				}
			}
		case *vast.InlineFragment:
			t := typ
			if s.TypeCondition != "" {
				t = s.TypeCondition
			}
			if err := w.walk(s.SelectionSet, t, stack); err != nil {
				return err
			}
		case *vast.FragmentSpread:
			return fmt.Errorf("context arguments: fragment spread %q not inlined", s.Name)
		}
	}
	return nil
}

// setsContext reports whether a value of type typ may carry context:
// its type, an interface it implements or a union it belongs to sets it,
// or (for an abstract type) one of its possible types does.
func (c *contextRewriter) setsContext(typ, context string) bool {
	for _, x := range c.ctx.SetOn[context] {
		if x == typ {
			return true
		}
		if d := c.schema.Types[typ]; d != nil && slices.Contains(d.Interfaces, x) {
			return true
		}
		if xd := c.schema.Types[x]; xd != nil && xd.Kind == vast.Union && slices.Contains(xd.Types, typ) {
			return true
		}
		if td := c.schema.Types[typ]; td != nil && td.IsAbstractType() {
			for _, p := range c.schema.GetPossibleTypes(td) {
				if p.Name == x {
					return true
				}
			}
		}
	}
	return false
}

// bind selects the context on the nearest ancestor that sets it and
// passes it to the field as a variable.
func (w *ctxWalk) bind(field *vast.Field, a supergraph.ContextArg, stack []ctxFrame) error {
	var anc *ctxFrame
	for i := len(stack) - 1; i >= 0; i-- {
		if w.c.setsContext(stack[i].typ, a.Context) {
			anc = &stack[i]
			break
		}
	}
	if anc == nil {
		// No ancestor in this operation sets the context: the argument
		// stays unset, which the subgraph reads as null.
		return nil
	}
	k := len(*w.bindings)
	for w.op.VariableDefinitions.ForName(ctxVarPrefix+strconv.Itoa(k)) != nil {
		k++
	}
	b := contextBinding{Var: ctxVarPrefix + strconv.Itoa(k), Alias: ctxAliasPrefix + strconv.Itoa(k), Dig: map[string][]string{}}
	sel := strings.TrimSpace(a.Selection)
	src := sel
	if !strings.HasPrefix(sel, "{") {
		src = "{" + sel + "}"
	}
	doc, err := parser.ParseQuery(&vast.Source{Input: src})
	if err != nil {
		return fmt.Errorf("context arguments: selection %q of %s: %w", a.Selection, field.Name, err)
	}
	if len(doc.Operations) != 1 || len(doc.Operations[0].SelectionSet) == 0 {
		return fmt.Errorf("context arguments: selection %q of %s selects nothing", a.Selection, field.Name)
	}
	top := doc.Operations[0].SelectionSet
	ancDef := w.c.schema.Types[anc.typ]
	possible := map[string]bool{anc.typ: true}
	if ancDef != nil && ancDef.IsAbstractType() {
		for _, p := range w.c.schema.GetPossibleTypes(ancDef) {
			possible[p.Name] = true
		}
	}
	if f, ok := top[0].(*vast.Field); ok {
		f.Alias = b.Alias
		b.Dig[""] = digPath(f)
		anc.field.SelectionSet = append(anc.field.SelectionSet, f)
	} else {
		b.TypeAlias = b.Alias + "_type"
		anc.field.SelectionSet = append(anc.field.SelectionSet, &vast.Field{Alias: b.TypeAlias, Name: "__typename"})
		for _, s := range top {
			frag, ok := s.(*vast.InlineFragment)
			if !ok || !possible[frag.TypeCondition] || len(frag.SelectionSet) == 0 {
				continue
			}
			f, ok := frag.SelectionSet[0].(*vast.Field)
			if !ok {
				continue
			}
			f.Alias = b.Alias
			b.Dig[frag.TypeCondition] = digPath(f)
			anc.field.SelectionSet = append(anc.field.SelectionSet, frag)
		}
	}
	t, err := parser.ParseSchema(&vast.Source{Input: "type T { f: " + a.Type + " }"})
	if err != nil {
		return fmt.Errorf("context arguments: type %q: %w", a.Type, err)
	}
	w.op.VariableDefinitions = append(w.op.VariableDefinitions, &vast.VariableDefinition{Variable: b.Var, Type: t.Definitions[0].Fields[0].Type})
	field.Arguments = append(field.Arguments, &vast.Argument{Name: a.Name, Value: &vast.Value{Kind: vast.Variable, Raw: b.Var}})
	*w.bindings = append(*w.bindings, b)
	return nil
}

// digPath follows single-field sub-selections below the aliased field.
func digPath(f *vast.Field) []string {
	var out []string
	for len(f.SelectionSet) > 0 {
		next, ok := f.SelectionSet[0].(*vast.Field)
		if !ok {
			break
		}
		out = append(out, next.Name)
		f = next
	}
	return out
}
