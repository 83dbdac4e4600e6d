package engine

import (
	"bytes"
	"fmt"
	"strconv"

	"github.com/wundergraph/astjson"

	"github.com/shopsupergraph/shop/router/internal/cost"
)

// DemandControl configures cost estimation (Options.DemandControl): the
// static estimate of every operation, computed before planning, and in
// Enforce mode the refusal of operations estimated above Max.
type DemandControl struct {
	Enforce bool
	// ListSize is the size assumed for list fields without @listSize.
	ListSize int
	// Max is the largest estimate let through in Enforce mode (0: none).
	Max float64
}

// Cost results, as Apollo Router reports them in extensions.cost.result.
const (
	costOK               = "COST_OK"
	codeCostTooExpensive = "COST_ESTIMATED_TOO_EXPENSIVE"
	codeCostParseFailure = "COST_QUERY_PARSE_FAILURE"
	costStrategy         = "static_estimated"
)

// demand is the engine's demand control: the supergraph's weights and the
// configuration.
type demand struct {
	cfg    DemandControl
	schema *cost.Schema
}

// costEstimate is the estimate of one prepared operation (operation and
// variables), computed once and kept with it in the operation cache.
type costEstimate struct {
	op        *cost.Operation
	vars      map[string]any
	estimated float64
	result    string
	err       *RequestError
}

func newDemand(cfg *DemandControl, supergraphSDL string) (*demand, error) {
	if cfg == nil {
		return nil, nil
	}
	s, err := cost.NewSchema(supergraphSDL)
	if err != nil {
		return nil, fmt.Errorf("demand control: %w", err)
	}
	return &demand{cfg: *cfg, schema: s}, nil
}

// estimateCost returns the cost estimate of p, or nil when demand control
// is off. A RequestError refuses the operation: in enforce mode, an
// estimate above the maximum or an operation that cannot be costed.
func (e *Engine) estimateCost(p *prepared) (*costEstimate, *RequestError) {
	if e.demand == nil {
		return nil, nil
	}
	est := p.cost.Load()
	if est == nil {
		est = e.demand.estimate(p)
		p.cost.Store(est)
	}
	if e.demand.cfg.Enforce && est.err != nil {
		return nil, est.err
	}
	return est, nil
}

func (d *demand) estimate(p *prepared) *costEstimate {
	est := &costEstimate{result: costOK}
	fail := func(format string, args ...any) *costEstimate {
		est.result = codeCostParseFailure
		est.err = newRequestError(KindBadRequest, codeCostParseFailure, format, args...)
		return est
	}
	if p.empty {
		// Authorization removed every field: nothing runs, nothing costs.
		return est
	}
	op, err := cost.ParseOperation(p.normalized, p.opName)
	if err != nil {
		return fail("cost estimation failed: %s", err)
	}
	vars, err := cost.Variables(p.variables)
	if err != nil {
		return fail("cost estimation failed: %s", err)
	}
	est.op, est.vars = op, vars
	n, err := d.schema.Estimate(op, vars, d.cfg.ListSize)
	if err != nil {
		// Typically a field whose @listSize requires exactly one slicing
		// argument (cost.ErrSlicingArgument).
		return fail("cost estimation failed: %s", err)
	}
	est.estimated = n
	if d.cfg.Max > 0 && n > d.cfg.Max {
		est.result = codeCostTooExpensive
		est.err = &RequestError{Kind: KindBadRequest, Errors: []GraphQLError{{
			Message: fmt.Sprintf("query estimated cost %s exceeded configured maximum %s", formatCost(n), formatCost(d.cfg.Max)),
			Extensions: map[string]any{
				"code":           codeCostTooExpensive,
				"cost.estimated": n,
				"cost.max":       d.cfg.Max,
			},
		}}}
	}
	return est
}

func formatCost(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

// addCostExtension measures the actual cost of a resolved response (its
// list lengths, the objects and values it holds) and reports both figures
// in extensions.cost, as Apollo Router does.
func (e *Engine) addCostExtension(buf *bytes.Buffer, est *costEstimate) {
	v, err := astjson.ParseBytes(buf.Bytes())
	if err != nil || v.Type() != astjson.TypeObject {
		return
	}
	actual := 0.0
	if est.op != nil {
		var data any
		if d := v.Get("data"); d != nil && d.Type() == astjson.TypeObject {
			data, err = cost.Decode(d.MarshalTo(nil))
			if err != nil {
				return
			}
		}
		actual = e.demand.schema.Actual(est.op, est.vars, data)
	}
	ext := v.Get("extensions")
	if ext == nil || ext.Type() != astjson.TypeObject {
		ext = astjson.ObjectValue(nil)
		v.Set(nil, "extensions", ext)
	}
	c := astjson.ObjectValue(nil)
	c.Set(nil, "estimated", astjson.NumberValue(nil, formatCost(est.estimated)))
	c.Set(nil, "actual", astjson.NumberValue(nil, formatCost(actual)))
	c.Set(nil, "result", astjson.StringValue(nil, est.result))
	c.Set(nil, "strategy", astjson.StringValue(nil, costStrategy))
	ext.Set(nil, "cost", c)
	out := v.MarshalTo(nil)
	buf.Reset()
	_, _ = buf.Write(out)
}
