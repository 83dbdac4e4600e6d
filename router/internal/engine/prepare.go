package engine

import (
	"bytes"
	"errors"
	"sync/atomic"

	"github.com/cespare/xxhash/v2"
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
}

// maxCachedQueryBytes bounds the documents kept in the operation cache.
const maxCachedQueryBytes = 64 << 10

var (
	nullJSON        = []byte("null")
	emptyObjectJSON = []byte("{}")
)

// prepared is a normalized, validated operation with its variables; it is
// shared read-only between requests with the same query, name and variables.
type prepared struct {
	query, opName string
	rawVariables  string

	err        *RequestError
	opType     ast.OperationType
	normalized string
	id         uint64
	variables  []byte
	varsHash   uint64
	plan       atomic.Pointer[cachedPlan]

	// Authorization (authorize.go): the fields removed from a filtered
	// operation, whether no root field was left, and the key that keeps
	// its plan apart from the unfiltered operation's.
	removed  []authz.Removal
	empty    bool
	authzKey string
}

// kit holds the reusable, non-thread-safe parts of request preparation.
type kit struct {
	parser        *astparser.Parser
	doc           *ast.Document
	normalizer    *astnormalization.OperationNormalizer
	validator     *astvalidation.OperationValidator
	varNormalizer *astnormalization.VariablesNormalizer
	varValidator  *variablesvalidation.VariablesValidator
	printer       *astprinter.Printer
	buf           bytes.Buffer
	report        operationreport.Report
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

func opCacheHash(r *Request) uint64 {
	var d xxhash.Digest
	d.Reset()
	_, _ = d.WriteString(r.OperationName)
	_, _ = d.WriteString("\x00")
	_, _ = d.WriteString(r.Query)
	_, _ = d.WriteString("\x00")
	_, _ = d.Write(r.Variables)
	return d.Sum64()
}

// prepare returns the normalized operation for a request, from cache when
// the same query, operation name and variables were seen before.
func (e *Engine) prepare(r *Request) *prepared {
	if len(r.Variables) == 0 || bytes.Equal(r.Variables, nullJSON) {
		r.Variables = emptyObjectJSON
	}
	// Huge documents or variables are unlikely to repeat; caching them would
	// only let a few requests pin a lot of memory.
	cacheable := len(r.Variables) <= e.opts.MaxCachedVariablesBytes && len(r.Query) <= maxCachedQueryBytes
	var h uint64
	if cacheable {
		h = opCacheHash(r)
		if p, ok := e.ops.get(h, func(p *prepared) bool {
			return p.query == r.Query && p.opName == r.OperationName && p.rawVariables == string(r.Variables)
		}); ok {
			return p
		}
	}
	p := e.normalizeSafely(r)
	if cacheable {
		p.query, p.opName, p.rawVariables = r.Query, r.OperationName, string(r.Variables)
		e.ops.add(h, p)
	}
	return p
}

// normalizeSafely runs normalize on a pooled kit. A document that makes the
// graphql-go-tools walkers panic is rejected as invalid; its kit, whose
// state is then unknown, is dropped instead of going back to the pool.
func (e *Engine) normalizeSafely(r *Request) (p *prepared) {
	k := e.getKit()
	defer func() {
		if rec := recover(); rec != nil {
			p = &prepared{opName: r.OperationName}
			p.err = newRequestError(KindValidation, codeValidationFailed, "invalid operation: %v", rec)
			return
		}
		e.kits.Put(k)
	}()
	return e.normalize(k, r)
}

func (e *Engine) normalize(k *kit, r *Request) *prepared {
	p := &prepared{opName: r.OperationName}
	doc, report := k.doc, &k.report
	doc.Reset()
	report.Reset()
	doc.Input.ResetInputString(r.Query)
	k.parser.Parse(doc, report)
	if report.HasErrors() {
		p.err = reportError(KindParse, codeParseFailed, report)
		return p
	}
	name, rerr := operationName(doc, r.OperationName)
	if rerr != nil {
		p.err = rerr
		return p
	}
	p.opName = name
	// The normalizers rewrite the variables; never let them touch the caller's bytes.
	doc.Input.Variables = bytes.Clone(r.Variables)
	k.normalizer.NormalizeNamedOperation(doc, e.client, []byte(name), report)
	if report.HasErrors() {
		p.err = reportError(KindValidation, codeValidationFailed, report)
		return p
	}
	if k.validator.Validate(doc, e.client, report); report.HasErrors() {
		p.err = reportError(KindValidation, codeValidationFailed, report)
		return p
	}
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
	for _, n := range doc.RootNodes {
		if n.Kind == ast.NodeKindOperationDefinition {
			p.opType = doc.OperationDefinitions[n.Ref].OperationType
			break
		}
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
		return only, nil
	}
	return name, nil
}
