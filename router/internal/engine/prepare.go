package engine

import (
	"bytes"
	"errors"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"

	"github.com/cespare/xxhash/v2"
	"github.com/wundergraph/astjson"
	"github.com/wundergraph/graphql-go-tools/v2/pkg/ast"
	"github.com/wundergraph/graphql-go-tools/v2/pkg/astnormalization"
	"github.com/wundergraph/graphql-go-tools/v2/pkg/astparser"
	"github.com/wundergraph/graphql-go-tools/v2/pkg/astprinter"
	"github.com/wundergraph/graphql-go-tools/v2/pkg/astvalidation"
	"github.com/wundergraph/graphql-go-tools/v2/pkg/operationreport"
	"github.com/wundergraph/graphql-go-tools/v2/pkg/variablesvalidation"

	"github.com/shopsupergraph/shop/router/internal/authz"
)

// Request is one GraphQL request as the client sent it.
type Request struct {
	Query         string
	OperationName string
	// Variables is the raw JSON object of variables; empty or "null" means none.
	Variables []byte
	// Incremental says the client accepts incremental delivery (multipart
	// with @defer, see defer.go); without it @defer fragments are inlined.
	Incremental bool
}

// maxCachedQueryBytes bounds the documents kept in the operation cache.
const maxCachedQueryBytes = 64 << 10

var (
	nullJSON        = []byte("null")
	emptyObjectJSON = []byte("{}")
)

// prepared is an operation ready to plan with the variables of one
// request: shared read-only between requests with the same query, name and
// variables.
type prepared struct {
	query, opName string
	rawVariables  string
	incremental   bool

	err        *RequestError
	opType     ast.OperationType
	normalized string
	id         uint64
	variables  []byte
	varsHash   uint64
	plan       atomic.Pointer[cachedPlan]
	// cost is the demand-control estimate, made once (demand.go).
	cost atomic.Pointer[costEstimate]

	// Authorization (authorize.go): the fields removed from a filtered
	// operation, whether no root field was left, and the key that keeps
	// its plan apart from the unfiltered operation's.
	removed  []authz.Removal
	empty    bool
	authzKey string
}

// normalized is the part of an operation that does not depend on variable
// values: parsed, normalized with its @skip/@include conditions applied,
// and validated. Every request with the same document, operation name and
// condition values shares it, whatever its other variables are.
type normalized struct {
	query, opName string
	incremental   bool
	// conds holds one byte per condition variable of the document: t, f or
	// x (absent, or not a boolean, which normalization leaves in place).
	conds string

	err    *RequestError
	name   string
	opType ast.OperationType
	// text is the operation printed after normalization and validation,
	// before literals are extracted into variables.
	text string
	// dropped are the variables normalization removed with the fields they
	// served (e.g. those of an @include(if: false) field); their values are
	// removed from every request's variables as normalization would have.
	dropped []string
}

// conditions lists the variables a document uses in @skip and @include,
// the only variables whose values change its normalized form.
type conditions struct {
	query, opName string
	names         []string
}

// kit holds the reusable, non-thread-safe parts of request preparation.
type kit struct {
	parser     *astparser.Parser
	doc        *ast.Document
	normalizer *astnormalization.OperationNormalizer
	// deferNormalizer also turns @defer fragments into deferred fields.
	deferNormalizer *astnormalization.OperationNormalizer
	validator       *astvalidation.OperationValidator
	varNormalizer   *astnormalization.VariablesNormalizer
	varValidator    *variablesvalidation.VariablesValidator
	printer         *astprinter.Printer
	buf             bytes.Buffer
	report          operationreport.Report
}

func newKit() *kit {
	return &kit{
		parser: astparser.NewParser(),
		doc:    ast.NewSmallDocument(),
		normalizer: astnormalization.NewWithOpts(
			astnormalization.WithRemoveNotMatchingOperationDefinitions(),
			astnormalization.WithInlineFragmentSpreads(),
			astnormalization.WithRemoveFragmentDefinitions(),
			astnormalization.WithRemoveUnusedVariables(),
		),
		deferNormalizer: astnormalization.NewWithOpts(
			astnormalization.WithRemoveNotMatchingOperationDefinitions(),
			astnormalization.WithInlineFragmentSpreads(),
			astnormalization.WithRemoveFragmentDefinitions(),
			astnormalization.WithRemoveUnusedVariables(),
			astnormalization.WithEnableDefer(),
		),
		validator:     astvalidation.DefaultOperationValidator(),
		varNormalizer: astnormalization.NewVariablesNormalizer(),
		varValidator:  variablesvalidation.NewVariablesValidator(variablesvalidation.VariablesValidatorOptions{}),
		printer:       astprinter.NewPrinter(nil),
	}
}

func (e *Engine) getKit() *kit {
	if k, ok := e.kits.Get().(*kit); ok {
		return k
	}
	return newKit()
}

// withKit runs f on a pooled kit. A document that makes the
// graphql-go-tools walkers panic is rejected as invalid; its kit, whose
// state is then unknown, is dropped instead of going back to the pool.
func (e *Engine) withKit(f func(k *kit)) (rerr *RequestError) {
	k := e.getKit()
	defer func() {
		if rec := recover(); rec != nil {
			rerr = newRequestError(KindValidation, codeValidationFailed, "invalid operation: %v", rec)
			return
		}
		e.kits.Put(k)
	}()
	f(k)
	return nil
}

func hashStrings(parts ...string) uint64 {
	var d xxhash.Digest
	d.Reset()
	for _, p := range parts {
		_, _ = d.WriteString(p)
		_, _ = d.WriteString("\x00")
	}
	return d.Sum64()
}

// prepare returns the operation of a request with its variables, from
// cache when the same query, operation name and variables were seen
// before. Otherwise only the variables are processed, on the cached
// normalized operation, unless the document or its @skip/@include values
// are new.
func (e *Engine) prepare(r *Request) *prepared {
	if len(r.Variables) == 0 || bytes.Equal(r.Variables, nullJSON) {
		r.Variables = emptyObjectJSON
	}
	// Only a document that can hold @defer needs the deferring
	// normalization; the others share the inline operation's caches.
	r.Incremental = r.Incremental && strings.Contains(r.Query, "defer")
	mode := deliveryMode(r.Incremental)
	// Huge documents or variables are unlikely to repeat; caching them would
	// only let a few requests pin a lot of memory.
	cacheable := len(r.Variables) <= e.opts.MaxCachedVariablesBytes && len(r.Query) <= maxCachedQueryBytes
	var h uint64
	if cacheable {
		h = hashStrings(r.OperationName, r.Query, string(r.Variables), mode)
		if p, ok := e.ops.get(h, func(p *prepared) bool {
			return p.query == r.Query && p.opName == r.OperationName && p.rawVariables == string(r.Variables) && p.incremental == r.Incremental
		}); ok {
			return p
		}
	}
	n := e.normalizedFor(r)
	var p *prepared
	if n.err != nil {
		p = &prepared{opName: n.name, err: n.err}
	} else {
		p = e.bind(n, r.Variables)
	}
	if cacheable {
		p.query, p.opName, p.rawVariables, p.incremental = r.Query, r.OperationName, string(r.Variables), r.Incremental
		e.ops.add(h, p)
	}
	return p
}

// normalizedFor returns the normalized operation of a request's document,
// operation name and condition values, normalizing it on a cache miss.
func (e *Engine) normalizedFor(r *Request) *normalized {
	if len(r.Query) > maxCachedQueryBytes {
		n, _ := e.normalizeSafely(r, nil)
		return n
	}
	docKey := hashStrings(r.OperationName, r.Query)
	c, ok := e.docs.get(docKey, func(c *conditions) bool { return c.query == r.Query && c.opName == r.OperationName })
	if ok {
		conds := conditionValues(c.names, r.Variables)
		key := hashStrings(r.OperationName, r.Query, conds, deliveryMode(r.Incremental))
		if n, ok := e.norms.get(key, func(n *normalized) bool {
			return n.query == r.Query && n.opName == r.OperationName && n.conds == conds && n.incremental == r.Incremental
		}); ok {
			return n
		}
	}
	var known []string
	if ok {
		known = c.names
	}
	n, names := e.normalizeSafely(r, known)
	n.query, n.opName, n.incremental = r.Query, r.OperationName, r.Incremental
	if !ok {
		e.docs.add(docKey, &conditions{query: r.Query, opName: r.OperationName, names: names})
	}
	e.norms.add(hashStrings(r.OperationName, r.Query, n.conds, deliveryMode(r.Incremental)), n)
	return n
}

// normalizeSafely normalizes and validates the request's document on a
// pooled kit; names are the document's condition variables when already
// known. It returns the condition variables it used.
func (e *Engine) normalizeSafely(r *Request, names []string) (n *normalized, used []string) {
	e.normalizations.Add(1)
	if rerr := e.withKit(func(k *kit) { n, used = e.normalize(k, r, names) }); rerr != nil {
		return &normalized{name: r.OperationName, conds: conditionValues(names, r.Variables), err: rerr}, names
	}
	return n, used
}

func (e *Engine) normalize(k *kit, r *Request, names []string) (*normalized, []string) {
	n := &normalized{name: r.OperationName}
	doc, report := k.doc, &k.report
	doc.Reset()
	report.Reset()
	doc.Input.ResetInputString(r.Query)
	k.parser.Parse(doc, report)
	if report.HasErrors() {
		n.err = reportError(KindParse, codeParseFailed, report)
		return n, names
	}
	name, rerr := operationName(doc, r.OperationName)
	if rerr != nil {
		n.err = rerr
		return n, names
	}
	n.name = name
	if names == nil {
		names = conditionVariables(doc)
	}
	n.conds = conditionValues(names, r.Variables)
	declared := operationVariables(doc, name)
	// Normalization sees the condition values only, so that its result
	// holds for every request with the same ones.
	doc.Input.Variables = conditionsJSON(names, n.conds)
	normalizer := k.normalizer
	if r.Incremental {
		normalizer = k.deferNormalizer
	}
	normalizer.NormalizeNamedOperation(doc, e.client, []byte(name), report)
	if report.HasErrors() {
		n.err = reportError(KindValidation, codeValidationFailed, report)
		return n, names
	}
	if k.validator.Validate(doc, e.client, report); report.HasErrors() {
		n.err = reportError(KindValidation, codeValidationFailed, report)
		return n, names
	}
	kept := operationVariables(doc, name)
	for _, v := range declared {
		if !slices.Contains(kept, v) {
			n.dropped = append(n.dropped, v)
		}
	}
	for _, rn := range doc.RootNodes {
		if rn.Kind == ast.NodeKindOperationDefinition {
			n.opType = doc.OperationDefinitions[rn.Ref].OperationType
			break
		}
	}
	k.buf.Reset()
	if err := k.printer.Print(doc, &k.buf); err != nil {
		n.err = newRequestError(KindValidation, codeValidationFailed, "print operation: %s", err)
		return n, names
	}
	n.text = k.buf.String()
	return n, names
}

// bind applies one request's variables to a normalized operation: literals
// are extracted into variables, defaults injected, single values coerced
// into lists, then the variables are validated against their types.
func (e *Engine) bind(n *normalized, variables []byte) (p *prepared) {
	if rerr := e.withKit(func(k *kit) { p = e.bindVariables(k, n, variables) }); rerr != nil {
		return &prepared{opName: n.name, err: rerr}
	}
	return p
}

func (e *Engine) bindVariables(k *kit, n *normalized, variables []byte) *prepared {
	p := &prepared{opName: n.name, opType: n.opType}
	doc, report := k.doc, &k.report
	doc.Reset()
	report.Reset()
	doc.Input.ResetInputString(n.text)
	k.parser.Parse(doc, report)
	if report.HasErrors() {
		p.err = reportError(KindValidation, codeValidationFailed, report)
		return p
	}
	// The normalizers rewrite the variables; never let them touch the caller's bytes.
	doc.Input.Variables = withoutVariables(variables, n.dropped)
	k.varNormalizer.NormalizeOperation(doc, e.client, report)
	if report.HasErrors() {
		p.err = reportError(KindVariables, codeBadUserInput, report)
		return p
	}
	if err := k.varValidator.Validate(doc, e.client, doc.Input.Variables); err != nil {
		p.err = variablesError(err)
		return p
	}
	if re := e.checkIntVariables(doc); re != nil {
		p.err = re
		return p
	}
	k.buf.Reset()
	if err := k.printer.Print(doc, &k.buf); err != nil {
		p.err = newRequestError(KindValidation, codeValidationFailed, "print operation: %s", err)
		return p
	}
	p.normalized = k.buf.String()
	p.id = xxhash.Sum64String(p.normalized)
	p.variables = bytes.Clone(doc.Input.Variables)
	p.varsHash = xxhash.Sum64(p.variables)
	return p
}

// conditionVariables returns the sorted names of the variables used as the
// condition of @skip, @include or @defer anywhere in the document.
func conditionVariables(doc *ast.Document) []string {
	names := []string{}
	for i := range doc.Directives {
		switch doc.DirectiveNameString(i) {
		case "skip", "include", "defer":
		default:
			continue
		}
		v, ok := doc.DirectiveArgumentValueByName(i, []byte("if"))
		if !ok || v.Kind != ast.ValueKindVariable {
			continue
		}
		if name := doc.VariableValueNameString(v.Ref); !slices.Contains(names, name) {
			names = append(names, strings.Clone(name))
		}
	}
	slices.Sort(names)
	return names
}

// conditionValues encodes the values of the condition variables in a
// request's variables, one byte each.
func conditionValues(names []string, variables []byte) string {
	if len(names) == 0 {
		return ""
	}
	out := make([]byte, len(names))
	vars, err := astjson.ParseBytes(variables)
	for i, name := range names {
		out[i] = 'x'
		if err != nil || vars.Type() != astjson.TypeObject {
			continue
		}
		if v := vars.Get(name); v != nil {
			switch v.Type() {
			case astjson.TypeTrue:
				out[i] = 't'
			case astjson.TypeFalse:
				out[i] = 'f'
			}
		}
	}
	return string(out)
}

// conditionsJSON is the variables object normalization sees: the boolean
// condition values, the others left out as normalization treats a
// missing value and a non-boolean one alike (it keeps the directive).
func conditionsJSON(names []string, conds string) []byte {
	out := []byte{'{'}
	for i, name := range names {
		if conds[i] == 'x' {
			continue
		}
		if len(out) > 1 {
			out = append(out, ',')
		}
		out = strconv.AppendQuote(out, name)
		if conds[i] == 't' {
			out = append(out, ":true"...)
		} else {
			out = append(out, ":false"...)
		}
	}
	return append(out, '}')
}

// operationVariables returns the variables declared by the named operation
// (the only one, when name is empty).
func operationVariables(doc *ast.Document, name string) []string {
	var out []string
	for _, rn := range doc.RootNodes {
		if rn.Kind != ast.NodeKindOperationDefinition || (name != "" && doc.OperationDefinitionNameString(rn.Ref) != name) {
			continue
		}
		for _, ref := range doc.OperationDefinitions[rn.Ref].VariableDefinitions.Refs {
			out = append(out, strings.Clone(doc.VariableDefinitionNameString(ref)))
		}
		return out
	}
	return out
}

// withoutVariables returns a copy of the variables object without the
// named entries; malformed variables are copied as they are, for the
// validator to report.
func withoutVariables(variables []byte, names []string) []byte {
	if len(names) == 0 {
		return bytes.Clone(variables)
	}
	vars, err := astjson.ParseBytes(variables)
	if err != nil || vars.Type() != astjson.TypeObject {
		return bytes.Clone(variables)
	}
	found := false
	for _, name := range names {
		if vars.Get(name) != nil {
			vars.Del(name)
			found = true
		}
	}
	if !found {
		return bytes.Clone(variables)
	}
	return vars.MarshalTo(nil)
}

func variablesError(err error) *RequestError {
	if rep := (*operationreport.Report)(nil); errors.As(err, &rep) {
		return reportError(KindVariables, codeBadUserInput, rep)
	}
	if rep := (operationreport.Report{}); errors.As(err, &rep) {
		return reportError(KindVariables, codeBadUserInput, &rep)
	}
	if ive := (*variablesvalidation.InvalidVariableError)(nil); errors.As(err, &ive) {
		return newRequestError(KindVariables, codeBadUserInput, "%s", ive.Message)
	}
	return newRequestError(KindVariables, codeBadUserInput, "%s", err.Error())
}

// operationName applies the GraphQL rules for choosing the operation and
// returns the chosen operation's name ("" for an anonymous one).
func operationName(doc *ast.Document, name string) (string, *RequestError) {
	count, found, only := 0, false, ""
	for _, n := range doc.RootNodes {
		if n.Kind != ast.NodeKindOperationDefinition {
			continue
		}
		count++
		opName := doc.OperationDefinitionNameString(n.Ref)
		only = opName
		if name != "" && opName == name {
			found = true
		}
	}
	switch {
	case count == 0:
		return "", newRequestError(KindValidation, codeValidationFailed, "the document contains no operation")
	case name == "" && count > 1:
		return "", newRequestError(KindBadRequest, codeBadRequest, "Must provide operation name if query contains multiple operations.")
	case name != "" && !found:
		return "", newRequestError(KindBadRequest, codeBadRequest, "Unknown operation named %q.", name)
	case name == "":
		// The document's bytes belong to a pooled kit and change with its next use.
		return strings.Clone(only), nil
	}
	return name, nil
}

// deliveryMode keeps apart, in the caches, the normalizations of a
// document with @defer fragments inlined and deferred.
func deliveryMode(incremental bool) string {
	if incremental {
		return "incremental"
	}
	return ""
}
