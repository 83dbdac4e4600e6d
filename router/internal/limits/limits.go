// Package limits rejects operations that are too expensive to plan or run
// (too deep, too many aliases, root fields, fields or tokens) and, when
// introspection is switched off, operations that introspect the schema. The
// checks run on the client's document before the engine normalizes and
// plans it, and their verdicts are cached per document. They measure the
// operation as it will execute, with its fragments expanded, in time linear
// in the document: normalization expands fragments spread several times
// into exponentially many fields, so those must be refused before it runs.
package limits

import (
	"fmt"
	"math"
	"strconv"
	"sync"

	"github.com/cespare/xxhash/v2"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/lexer"
	"github.com/vektah/gqlparser/v2/parser"

	"github.com/shopsupergraph/shop/router/internal/engine"
)

// Extension codes of refused operations, one per rule so that clients and
// dashboards can tell them apart.
const (
	CodeMaxDepth              = "MAX_DEPTH_LIMIT"
	CodeMaxAliases            = "MAX_ALIASES_LIMIT"
	CodeMaxRootFields         = "MAX_ROOT_FIELDS_LIMIT"
	CodeMaxTokens             = "MAX_TOKENS_LIMIT"
	CodeMaxFields             = "MAX_FIELDS_LIMIT"
	CodeIntrospectionDisabled = "INTROSPECTION_DISABLED"
	// CodeValidationFailed is the engine's code for invalid documents,
	// used here for fragment cycles and duplicate fragment names, which
	// must be refused before anything tries to expand them.
	CodeValidationFailed = "GRAPHQL_VALIDATION_FAILED"
)

// Config sets the limits; zero means unlimited.
type Config struct {
	// MaxDepth bounds field nesting; a root field has depth 1.
	MaxDepth int
	// MaxAliases bounds the aliased fields in the operation.
	MaxAliases int
	// MaxRootFields bounds the fields selected on the root type.
	MaxRootFields int
	// MaxTokens bounds the lexical tokens of the whole document.
	MaxTokens int
	// MaxFields bounds the fields of the operation with its fragments
	// expanded, each field counted once per path it produces.
	MaxFields int
	// DisableIntrospection refuses __schema and __type selections.
	DisableIntrospection bool
}

// Enabled reports whether any rule is active; when none is, the router
// does not install the checker at all.
func (c Config) Enabled() bool {
	return c.MaxDepth > 0 || c.MaxAliases > 0 || c.MaxRootFields > 0 || c.MaxTokens > 0 || c.MaxFields > 0 || c.DisableIntrospection
}

// maxCached bounds the verdict cache; it is cleared when full, which is
// cheap and keeps hostile traffic from growing it without bound.
const maxCached = 4096

// Checker applies a Config; it is safe for concurrent use.
type Checker struct {
	cfg   Config
	mu    sync.RWMutex
	cache map[uint64]verdict
}

type verdict struct {
	query, opName string
	err           *engine.RequestError
}

// New returns a checker for cfg.
func New(cfg Config) *Checker {
	return &Checker{cfg: cfg, cache: make(map[uint64]verdict)}
}

// Check returns a *engine.RequestError when the operation breaks a limit,
// nil otherwise. Documents that do not parse pass: the engine reports
// their syntax errors with locations.
func (c *Checker) Check(query, opName string) *engine.RequestError {
	h := xxhash.Sum64String(opName + "\x00" + query)
	c.mu.RLock()
	v, ok := c.cache[h]
	c.mu.RUnlock()
	if ok && v.query == query && v.opName == opName {
		return v.err
	}
	err, _ := c.check(query, opName)
	c.mu.Lock()
	if len(c.cache) >= maxCached {
		clear(c.cache)
	}
	c.cache[h] = verdict{query: query, opName: opName, err: err}
	c.mu.Unlock()
	return err
}

// check returns the verdict and the number of selections it walked.
func (c *Checker) check(query, opName string) (*engine.RequestError, int) {
	src := &ast.Source{Input: query}
	if c.cfg.MaxTokens > 0 {
		if s := scan(src, c.cfg.MaxTokens); s.tokens > c.cfg.MaxTokens {
			// The document is not parsed; name the more specific rule when
			// the part read already breaks it, so that a client sending
			// 10,000 aliases learns about aliases rather than tokens.
			switch {
			case c.cfg.MaxDepth > 0 && s.depth > c.cfg.MaxDepth:
				return refuse(CodeMaxDepth, "the operation is at least %d levels deep; the limit is %d", s.depth, c.cfg.MaxDepth), 0
			case c.cfg.MaxAliases > 0 && s.aliases > c.cfg.MaxAliases:
				return refuse(CodeMaxAliases, "the operation uses at least %d aliases; the limit is %d", s.aliases, c.cfg.MaxAliases), 0
			}
			return refuse(CodeMaxTokens, "the operation has more than %d tokens", c.cfg.MaxTokens), 0
		}
	}
	doc, err := parser.ParseQuery(src)
	if err != nil {
		return nil, 0
	}
	m, err := newMeasurer(doc)
	if err != nil {
		return refuse(CodeValidationFailed, "%s", err), 0
	}
	for _, op := range doc.Operations {
		if opName != "" && op.Name != opName {
			continue
		}
		w, err := m.set(op.SelectionSet)
		if err != nil {
			return refuse(CodeValidationFailed, "%s", err), m.visits
		}
		if re := c.verdict(w); re != nil {
			return re, m.visits
		}
	}
	return nil, m.visits
}

// verdict applies the limits to an operation's measure.
func (c *Checker) verdict(w measure) *engine.RequestError {
	switch {
	case c.cfg.MaxDepth > 0 && w.depth > c.cfg.MaxDepth:
		return refuse(CodeMaxDepth, "the operation is %d levels deep; the limit is %d", w.depth, c.cfg.MaxDepth)
	case c.cfg.MaxAliases > 0 && w.aliases > int64(c.cfg.MaxAliases):
		return refuse(CodeMaxAliases, "the operation uses %s aliases; the limit is %d", count(w.aliases), c.cfg.MaxAliases)
	case c.cfg.MaxRootFields > 0 && w.top > int64(c.cfg.MaxRootFields):
		return refuse(CodeMaxRootFields, "the operation selects %s root fields; the limit is %d", count(w.top), c.cfg.MaxRootFields)
	case c.cfg.MaxFields > 0 && w.fields > int64(c.cfg.MaxFields):
		return refuse(CodeMaxFields, "the operation selects %s fields once its fragments are expanded; the limit is %d", count(w.fields), c.cfg.MaxFields)
	case c.cfg.DisableIntrospection && w.introspects:
		return refuse(CodeIntrospectionDisabled, "introspection is disabled on this router")
	}
	return nil
}

// count prints a measure, saying so when it saturated.
func count(n int64) string {
	if n == math.MaxInt64 {
		return "more than " + strconv.FormatInt(n, 10)
	}
	return strconv.FormatInt(n, 10)
}

func refuse(code, format string, args ...any) *engine.RequestError {
	return &engine.RequestError{Kind: engine.KindValidation, Errors: []engine.GraphQLError{{
		Message:    fmt.Sprintf(format, args...),
		Extensions: map[string]any{"code": code},
	}}}
}

// lexical is what one pass of the lexer tells about a document.
type lexical struct {
	tokens int
	// depth is the deepest selection-set nesting and aliases the
	// "name:" pairs outside parentheses (arguments, variable definitions
	// and directive arguments are inside them). Both are lower bounds of
	// the real measures, which fragments can only increase.
	depth, aliases int
}

// scan lexes src and stops one token past limit, so a huge document costs
// no more than the limit to refuse.
func scan(src *ast.Source, limit int) lexical {
	lx := lexer.New(src)
	var (
		out            lexical
		braces, parens int
		afterName      bool
	)
	for out.tokens <= limit {
		tok, err := lx.ReadToken()
		if err != nil || tok.Kind == lexer.EOF {
			return out
		}
		out.tokens++
		if parens == 0 {
			switch tok.Kind {
			case lexer.BraceL:
				braces++
				out.depth = max(out.depth, braces)
			case lexer.BraceR:
				braces = max(braces-1, 0)
			case lexer.Colon:
				// Outside parentheses a colon only follows an alias.
				if afterName && braces > 0 {
					out.aliases++
				}
			}
		}
		switch tok.Kind {
		case lexer.ParenL:
			parens++
		case lexer.ParenR:
			parens = max(parens-1, 0)
		}
		afterName = tok.Kind == lexer.Name
	}
	return out
}
