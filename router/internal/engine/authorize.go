package engine

import (
	"bytes"
	"context"
	"strings"

	"github.com/cespare/xxhash/v2"
	"github.com/wundergraph/graphql-go-tools/v2/pkg/astparser"
	"github.com/wundergraph/graphql-go-tools/v2/pkg/astprinter"

	"github.com/shopsupergraph/shop/router/internal/authn"
	"github.com/shopsupergraph/shop/router/internal/authz"
)

const (
	codeUnauthenticated = "UNAUTHENTICATED"
	codeUnauthorized    = "UNAUTHORIZED_FIELD_OR_TYPE"
	// msgUnauthorized is Apollo Router's message for a field taken out of
	// an operation.
	msgUnauthorized = "Unauthorized field or type"
)

// authzView is what authorization leaves of one normalized operation for
// one kind of principal. It holds no variables: the operation text is the
// same for every request that normalizes to it, the variables are each
// request's own (bind gives them to the prepared operation per request).
type authzView struct {
	base, opName, principal string
	// filtered is nil when nothing was removed; otherwise the filtered
	// operation without variables, copied per request with its own.
	filtered *prepared
	err      *RequestError
}

// authorize applies authorization to a prepared operation before it is
// planned. Without an authorizer, or with a supergraph that applies no
// authorization directive and no require_authentication, it returns p at
// no cost. Otherwise decisions are cached per operation and principal
// (authenticated, scopes, satisfied policies), so a hot operation costs a
// hash lookup; the request's variables always come from p.
func (e *Engine) authorize(ctx context.Context, p *prepared) (*prepared, *RequestError) {
	a := e.authz
	if a == nil {
		return p, nil
	}
	if a.RequireAuthentication() {
		if _, ok := authn.FromContext(ctx); !ok && authn.KeyHolderFrom(ctx) == nil {
			return nil, newRequestError(KindUnauthenticated, codeUnauthenticated, "the request must be authenticated")
		}
	}
	if !a.Filters() {
		return p, nil
	}
	pr := a.PrincipalFrom(ctx)
	key := pr.Key()
	var d xxhash.Digest
	d.Reset()
	_, _ = d.WriteString(p.opName)
	_, _ = d.WriteString("\x00")
	_, _ = d.WriteString(p.normalized)
	_, _ = d.WriteString("\x00")
	_, _ = d.WriteString(key)
	h := d.Sum64()
	match := func(v *authzView) bool {
		return v.base == p.normalized && v.principal == key && v.opName == p.opName
	}
	v, ok := e.views.get(h, match)
	if !ok {
		v = e.filter(p, pr)
		e.views.add(h, v)
	}
	if v.err != nil {
		return nil, v.err
	}
	if v.filtered == nil {
		return p, nil
	}
	f := v.filtered
	return &prepared{
		opName: f.opName, opType: f.opType, normalized: f.normalized, id: f.id,
		removed: f.removed, empty: f.empty, authzKey: f.authzKey,
		variables: p.variables, varsHash: p.varsHash,
	}, nil
}

// filter runs the authorization walk on a fresh parse of the normalized
// operation and prints what is left.
func (e *Engine) filter(p *prepared, pr authz.Principal) *authzView {
	v := &authzView{base: p.normalized, opName: p.opName, principal: pr.Key()}
	doc, report := astparser.ParseGraphqlDocumentString(p.normalized)
	if report.HasErrors() {
		v.err = reportError(KindValidation, codeValidationFailed, &report)
		return v
	}
	res := e.authz.Filter(&doc, e.client, pr)
	if len(res.Removed) == 0 {
		return v
	}
	if e.authz.RejectUnauthorized() {
		v.err = unauthorizedError(res.Denied)
		return v
	}
	fp := &prepared{
		opName:  p.opName,
		opType:  p.opType,
		removed: res.Removed,
		empty:   res.Empty,
	}
	if !res.Empty {
		var buf bytes.Buffer
		if err := astprinter.Print(&doc, &buf); err != nil {
			v.err = newRequestError(KindValidation, codeValidationFailed, "print operation: %s", err)
			return v
		}
		fp.normalized = buf.String()
	}
	// The plan of a filtered operation holds the nulls of its removals, so
	// it is cached under the filtered text and what was removed: never
	// shared with the unfiltered operation.
	var key strings.Builder
	for _, rm := range res.Removed {
		key.WriteString(pathString(rm.Path))
		key.WriteByte('|')
		key.WriteString(strings.Join(rm.OnTypes, ","))
		key.WriteByte('\n')
	}
	fp.authzKey = key.String()
	fp.id = xxhash.Sum64String(fp.normalized + "\x00" + fp.authzKey)
	v.filtered = fp
	return v
}

func pathString(path []any) string {
	var b strings.Builder
	for i, s := range path {
		if i > 0 {
			b.WriteByte('.')
		}
		if str, ok := s.(string); ok {
			b.WriteString(str)
		}
	}
	return b.String()
}

// unauthorizedError refuses an operation (reject_unauthorized) with one
// error per unauthorized field, as Apollo Router does.
func unauthorizedError(paths [][]any) *RequestError {
	re := &RequestError{Kind: KindForbidden}
	for _, p := range paths {
		re.Errors = append(re.Errors, GraphQLError{
			Message:    msgUnauthorized,
			Path:       p,
			Extensions: map[string]any{"code": codeUnauthorized},
		})
	}
	return re
}

func removedPaths(removed []authz.Removal) [][]any {
	out := make([][]any, len(removed))
	for i, rm := range removed {
		out[i] = rm.Path
	}
	return out
}
