package merge

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/shopsupergraph/shop/compose/subgraph"
	"github.com/shopsupergraph/shop/compose/supergraph"
)

// authReq is the access control on one supergraph element; nil lists mean
// no requirement of that kind.
type authReq struct {
	authenticated bool
	scopes        [][]string
	policies      [][]string
}

// accessOn reads the access control the supergraph puts on an element.
func accessOn(ds []supergraph.Directive) *authReq {
	var r *authReq
	for _, d := range ds {
		if !isAccess(d.Name) {
			continue
		}
		if r == nil {
			r = &authReq{}
		}
		switch d.Name {
		case "authenticated":
			r.authenticated = true
		case "requiresScopes":
			r.scopes = decodeListOfLists(d)
		case "policy":
			r.policies = decodeListOfLists(d)
		}
	}
	return r
}

// decodeListOfLists reads back a printed scopes or policies argument: a
// list of lists of GraphQL strings, which is also JSON.
func decodeListOfLists(d supergraph.Directive) [][]string {
	var out [][]string
	if len(d.Args) == 1 && json.Unmarshal([]byte(d.Args[0].Value), &out) == nil {
		return out
	}
	return [][]string{}
}

// combine is what a field asks for together with its parent type.
func combine(typeReq, fieldReq *authReq) *authReq {
	out := &authReq{}
	var scopes, policies [][][]string
	for _, r := range []*authReq{typeReq, fieldReq} {
		if r == nil {
			continue
		}
		out.authenticated = out.authenticated || r.authenticated
		if r.scopes != nil {
			scopes = append(scopes, r.scopes)
		}
		if r.policies != nil {
			policies = append(policies, r.policies)
		}
	}
	if len(scopes) > 0 {
		out.scopes = dnfConjunction(scopes)
	}
	if len(policies) > 0 {
		out.policies = dnfConjunction(policies)
	}
	return out
}

// satisfies reports whether whoever meets r also meets other.
func (r *authReq) satisfies(other *authReq) bool {
	if other == nil {
		return true
	}
	return (r.authenticated || !other.authenticated) && implies(r.scopes, other.scopes) && implies(r.policies, other.policies)
}

// implies reports whether every way of meeting first meets second.
func implies(first, second [][]string) bool {
	norm := func(v [][]string) [][]string {
		if len(v) == 0 {
			return [][]string{{}}
		}
		return v
	}
	for _, f := range norm(first) {
		ok := false
		for _, s := range norm(second) {
			if len(uniq(f)) >= len(uniq(s)) && subset(s, f) {
				ok = true
				break
			}
		}
		if !ok {
			return false
		}
	}
	return true
}

func uniq(l []string) map[string]bool {
	out := map[string]bool{}
	for _, s := range l {
		out[s] = true
	}
	return out
}

func subset(small, big []string) bool {
	set := uniq(big)
	for _, s := range small {
		if !set[s] {
			return false
		}
	}
	return true
}

// checkTransitiveAccess reports @requires fields that do not ask for the
// access control of the data their field set reads: the router fetches
// that data for them, so a caller could otherwise read it through them.
func (m *merger) checkTransitiveAccess() {
	used := false
	for _, s := range m.subs {
		used = used || len(s.Access) > 0
	}
	if !used {
		return
	}
	for _, s := range m.subs {
		for _, typeName := range s.Order {
			for _, f := range s.Types[typeName].Fields {
				if !f.HasRequires {
					continue
				}
				if msg := m.requiresAccessProblem(typeName, f.Def.Name, f.Requires); msg != "" {
					coord := typeName + "." + f.Def.Name
					m.errs.Add("MISSING_TRANSITIVE_AUTH_REQUIREMENTS", s.Name, coord, fmt.Sprintf("[%s] %s", s.Name, msg))
				}
			}
		}
	}
}

// requiresAccessProblem checks one @requires field set against the
// supergraph and describes the first selection it may not read.
func (m *merger) requiresAccessProblem(typeName, fieldName, fields string) string {
	t := m.merged[typeName]
	if t == nil || t.Field(fieldName) == nil {
		return ""
	}
	coord := typeName + "." + fieldName
	req := combine(accessOn(t.Directives), accessOn(t.Field(fieldName).Directives))
	sels, err := subgraph.ParseFieldSet(fields)
	if err != nil {
		return "" // reported when the subgraph was parsed
	}
	const lack = "Field %q does not specify necessary @authenticated, @requiresScopes and/or @policy auth requirements to access the transitive %s from @requires selection set."
	var walk func(parent string, sels []subgraph.Selection) string
	walk = func(parent string, sels []subgraph.Selection) string {
		pt := m.merged[parent]
		if pt == nil {
			return ""
		}
		for _, sel := range sels {
			if sel.TypeCondition != "" {
				if ct := m.merged[sel.TypeCondition]; ct != nil && !req.satisfies(accessOn(ct.Directives)) {
					return fmt.Sprintf(lack, coord, fmt.Sprintf("data in inline fragment type condition %q", sel.TypeCondition))
				}
				if msg := walk(sel.TypeCondition, sel.Sub); msg != "" {
					return msg
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
			if !req.satisfies(accessOn(f.Directives)) || !req.satisfies(retReq) {
				return fmt.Sprintf(lack, coord, fmt.Sprintf("field %q data", parent+"."+sel.Name))
			}
			if msg := walk(ret, sel.Sub); msg != "" {
				return msg
			}
		}
		return ""
	}
	return walk(typeName, sels)
}
