package engine

import (
	"fmt"
	"math/rand/v2"
	"net/http"
	"slices"
	"strings"
	"sync"

	"github.com/wundergraph/graphql-go-tools/v2/pkg/engine/plan"

	"github.com/shopsupergraph/shop/router/internal/supergraph"
)

// OverrideOptions decide, per request, which progressive @override labels
// are active (Options.Override). A field carrying
// @join__field(override:, overrideLabel: L) is served by the overriding
// subgraph in the requests where L is active, by the original one in the
// others.
type OverrideOptions struct {
	// Labels are active in every request.
	Labels []string
	// Header, when set, names a request header listing (comma-separated)
	// more labels active for that request; "" ignores such headers.
	Header string
	// Rand returns a number in [0, 1) drawn per request for every
	// "percent(N)" label, active when below N/100 (nil: math/rand/v2).
	Rand func() float64
}

// overrides holds the supergraph's labels and one planner configuration
// per set of active labels met so far: at most 2^labels, and supergraphs
// carry few labels.
type overrides struct {
	opts    OverrideOptions
	sdl     string
	labels  []string
	percent map[string]float64
	always  map[string]bool

	mu      sync.Mutex
	configs map[string]*plan.Configuration
}

func newOverrides(o OverrideOptions, sdl string, sg *supergraph.Supergraph) *overrides {
	labels := sg.OverrideLabels()
	if len(labels) == 0 {
		return nil
	}
	ov := &overrides{opts: o, sdl: sdl, labels: labels, percent: map[string]float64{}, always: map[string]bool{}, configs: map[string]*plan.Configuration{}}
	if ov.opts.Rand == nil {
		ov.opts.Rand = rand.Float64
	}
	for _, l := range labels {
		if n, ok := supergraph.PercentLabel(l); ok {
			ov.percent[l] = n
		}
	}
	for _, l := range o.Labels {
		ov.always[l] = true
	}
	return ov
}

// active returns the labels active for one request as a key: the
// supergraph's labels that are configured, named in the header, or drawn
// for a percent label, sorted and comma-joined ("" for none).
func (ov *overrides) active(header http.Header) string {
	var fromHeader []string
	if ov.opts.Header != "" && header != nil {
		for _, v := range header.Values(ov.opts.Header) {
			for _, l := range strings.Split(v, ",") {
				fromHeader = append(fromHeader, strings.TrimSpace(l))
			}
		}
	}
	var on []string
	for _, l := range ov.labels {
		switch {
		case ov.always[l], slices.Contains(fromHeader, l):
			on = append(on, l)
		default:
			if n, ok := ov.percent[l]; ok && ov.opts.Rand()*100 < n {
				on = append(on, l)
			}
		}
	}
	return strings.Join(on, ",")
}

// activeLabels is the override key of a request ("" when the supergraph
// has no labels).
func (e *Engine) activeLabels(header http.Header) string {
	if e.override == nil {
		return ""
	}
	return e.override.active(header)
}

// planConfigFor returns the planner configuration for a set of active
// labels, building it from the supergraph the first time.
func (e *Engine) planConfigFor(labels string) (plan.Configuration, error) {
	ov := e.override
	if ov == nil {
		return e.planConfig, nil
	}
	ov.mu.Lock()
	defer ov.mu.Unlock()
	if cfg := ov.configs[labels]; cfg != nil {
		return *cfg, nil
	}
	var active []string
	if labels != "" {
		active = strings.Split(labels, ",")
	}
	sg, err := supergraph.ParseWithOverrideLabels(ov.sdl, active)
	if err != nil {
		return plan.Configuration{}, fmt.Errorf("override labels %q: %w", labels, err)
	}
	cfg, err := e.planConfigOf(sg, false)
	if err != nil {
		return plan.Configuration{}, fmt.Errorf("override labels %q: %w", labels, err)
	}
	ov.configs[labels] = &cfg
	return cfg, nil
}
