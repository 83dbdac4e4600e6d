package merge

import (
	"fmt"
	"strings"

	"github.com/shopsupergraph/shop/compose/subgraph"
	"github.com/shopsupergraph/shop/compose/supergraph"
	"github.com/vektah/gqlparser/v2/ast"
)

// Contexts (@context/@fromContext, federation v2.8) reach the supergraph
// as Apollo writes them: each @context(name: "n") set in subgraph s becomes
// @context(name: "s__n") on the type; an argument filled from a context
// leaves the field and becomes a contextArguments entry of that subgraph's
// @join__field, which tells the router what to select on the ancestor.

// ContextURL is the context spec the supergraph links for SECURITY.
const ContextURL = "https://specs.apollo.dev/context/v0.1"

// contextDirectiveDefs are the definitions the context spec adds; the
// first is renamed when the subgraphs import @context under another name.
var contextDirectiveDefs = []string{
	`directive @context(name: String!) repeatable on INTERFACE | OBJECT | UNION`,
	`directive @context__fromContext(field: context__ContextFieldValue) on ARGUMENT_DEFINITION`,
}

// mergeContexts merges @context applications of one type across
// subgraphs. Like Apollo, applications are told apart by the name the
// subgraph gave, so two subgraphs setting the same name on a type yield one
// application, named after the first of them.
func mergeContexts(lists []ast.DirectiveList) []supergraph.Directive {
	var out []supergraph.Directive
	seen := map[string]bool{}
	for _, list := range lists {
		for _, d := range list {
			if d.Name != "context" {
				continue
			}
			name, sub := argRaw(d, "name"), argRaw(d, subgraph.ContextSubgraphArg)
			if seen[name] {
				continue
			}
			seen[name] = true
			out = append(out, supergraph.Directive{Name: "context", Args: []supergraph.DirArg{
				{Name: "name", Value: supergraph.Str(sub + "__" + name)},
			}})
		}
	}
	return out
}

func argRaw(d *ast.Directive, name string) string {
	if a := d.Arguments.ForName(name); a != nil && a.Value != nil {
		return a.Value.Raw
	}
	return ""
}

// hasContextArgs reports whether any subgraph fills an argument of the
// field from a context; such a field always gets @join__field.
func hasContextArgs(fsrc []*subgraph.Field) bool {
	for _, f := range fsrc {
		if f != nil && len(f.ContextArgs) > 0 {
			return true
		}
	}
	return false
}

// contextArguments prints the contextArguments of one subgraph's
// @join__field, or "" when the field has none there.
func contextArguments(sub string, f *subgraph.Field) string {
	if len(f.ContextArgs) == 0 {
		return ""
	}
	parts := make([]string, len(f.ContextArgs))
	for i, ca := range f.ContextArgs {
		parts[i] = fmt.Sprintf("{context: %s, name: %s, type: %s, selection: %s}",
			supergraph.Str(sub+"__"+ca.Context), supergraph.Str(ca.Name), supergraph.Str(ca.Type), supergraph.Str(ca.Selection))
	}
	return "[" + strings.Join(parts, ", ") + "]"
}

// withoutContextArgs returns the fields with every argument that some
// subgraph fills from a context removed: such an argument is not part of
// the API. Where another subgraph declares it as an ordinary argument it
// must be optional (CONTEXTUAL_ARGUMENT_NOT_CONTEXTUAL_IN_ALL_SUBGRAPHS).
func (m *merger) withoutContextArgs(coord string, fsrc []*subgraph.Field) []*subgraph.Field {
	contextual := map[string]bool{}
	for _, f := range fsrc {
		if f != nil {
			for _, ca := range f.ContextArgs {
				contextual[ca.Name] = true
			}
		}
	}
	if len(contextual) == 0 {
		return fsrc
	}
	out := make([]*subgraph.Field, len(fsrc))
	for i, f := range fsrc {
		if f == nil {
			continue
		}
		own := map[string]bool{}
		for _, ca := range f.ContextArgs {
			own[ca.Name] = true
		}
		def := *f.Def
		def.Arguments = nil
		for _, a := range f.Def.Arguments {
			if !contextual[a.Name] {
				def.Arguments = append(def.Arguments, a)
				continue
			}
			if !own[a.Name] && isRequired(a.Type, a.DefaultValue) {
				argCoord := fmt.Sprintf("%s(%s:)", coord, a.Name)
				m.errs.Add("CONTEXTUAL_ARGUMENT_NOT_CONTEXTUAL_IN_ALL_SUBGRAPHS", m.subs[i].Name, argCoord, fmt.Sprintf(
					"Argument %q is contextual in at least one subgraph but in %q it does not have @fromContext, is not nullable and has no default value.", argCoord, argCoord))
			}
		}
		c := *f
		c.Def = &def
		out[i] = &c
	}
	return out
}

// usesContext reports whether a subgraph sets a context.
func usesContext(s *subgraph.Subgraph) bool { return s.ContextName != "" }

// contextLink adds the context spec's definitions and returns its @link;
// @context keeps the name the subgraphs import it as (they must agree).
func (m *merger) contextLink() supergraph.Link {
	l := supergraph.Link{URL: ContextURL, For: "SECURITY"}
	name, first := "", ""
	for _, s := range m.subs {
		switch {
		case s.ContextName == "":
		case name == "":
			name, first = s.ContextName, s.Name
		case s.ContextName != name:
			m.errs.Add("LINK_IMPORT_NAME_MISMATCH", s.Name, "@context", fmt.Sprintf(
				"The \"@context\" directive is imported with mismatched name between subgraphs: it is imported as \"@%s\" in subgraph %q but \"@%s\" in subgraph %q",
				s.ContextName, s.Name, name, first))
		}
	}
	def := contextDirectiveDefs[0]
	if name != "context" {
		l.Imports = []supergraph.Import{{Name: "@context", As: "@" + name}}
		def = strings.Replace(def, "directive @context", "directive @"+name, 1)
		m.renameApplied("context", name)
	}
	m.addDirectiveDef(def)
	m.addDirectiveDef(contextDirectiveDefs[1])
	m.out.Types = append(m.out.Types, &supergraph.Type{Kind: ast.Scalar, Name: "context__ContextFieldValue"})
	return l
}

// checkContextAccess reports fields filled from a context that do not ask
// for the access control of the context's types and of the data their
// selection reads: the router reads that data on their behalf.
func (m *merger) checkContextAccess() {
	used := false
	for _, s := range m.subs {
		used = used || len(s.Access) > 0
	}
	if !used {
		return
	}
	setOn := map[string][]string{}
	for _, t := range m.merged {
		for _, d := range t.Directives {
			if d.Name == "context" && len(d.Args) == 1 {
				setOn[d.Args[0].Value] = append(setOn[d.Args[0].Value], t.Name)
			}
		}
	}
	for _, s := range m.subs {
		for _, typeName := range s.Order {
			for _, f := range s.Types[typeName].Fields {
				for _, ca := range f.ContextArgs {
					ctx := s.Name + "__" + ca.Context
					for _, target := range setOn[supergraph.Str(ctx)] {
						if msg := m.contextAccessProblem(typeName, f.Def.Name, ctx, target, ca.Selection); msg != "" {
							m.errs.Add("MISSING_TRANSITIVE_AUTH_REQUIREMENTS", s.Name, typeName+"."+f.Def.Name, fmt.Sprintf("[%s] %s", s.Name, msg))
						}
					}
				}
			}
		}
	}
}

// contextAccessProblem checks one context selection read on target for
// the field typeName.fieldName and describes the first problem.
func (m *merger) contextAccessProblem(typeName, fieldName, ctx, target, selection string) string {
	t, tt := m.merged[typeName], m.merged[target]
	if t == nil || t.Field(fieldName) == nil || tt == nil {
		return ""
	}
	coord := typeName + "." + fieldName
	lack := fmt.Sprintf("Field %q does not specify necessary @authenticated, @requiresScopes and/or @policy auth requirements to access the transitive data in context %s from @fromContext selection set.", coord, ctx)
	req := combine(accessOn(t.Directives), accessOn(t.Field(fieldName).Directives))
	if !req.satisfies(accessOn(tt.Directives)) {
		return lack
	}
	sels, err := subgraph.ParseSelection(selection)
	if err != nil {
		return "" // reported when the subgraph was parsed
	}
	var walk func(parent string, sels []subgraph.Selection) bool
	walk = func(parent string, sels []subgraph.Selection) bool {
		pt := m.merged[parent]
		if pt == nil {
			return true
		}
		for _, sel := range sels {
			if sel.TypeCondition != "" {
				if ct := m.merged[sel.TypeCondition]; ct != nil && !req.satisfies(accessOn(ct.Directives)) {
					return false
				}
				if !walk(sel.TypeCondition, sel.Sub) {
					return false
				}
				continue
			}
			f := pt.Field(sel.Name)
			if f == nil {
				continue
			}
			ret := strings.Trim(f.Type, "[]!")
			var retReq *authReq
			if rt := m.merged[ret]; rt != nil {
				retReq = accessOn(rt.Directives)
			}
			if !req.satisfies(accessOn(f.Directives)) || !req.satisfies(retReq) || !walk(ret, sel.Sub) {
				return false
			}
		}
		return true
	}
	if !walk(target, sels) {
		return lack
	}
	return ""
}
