package config

import (
	"errors"
	"fmt"
)

// DemandControl is Apollo Router's demand_control block: the cost of each
// operation is estimated from the supergraph's @cost/@listSize before it
// runs (and measured on its response); enforce mode refuses operations
// estimated above the maximum with COST_ESTIMATED_TOO_EXPENSIVE.
type DemandControl struct {
	Enabled bool `yaml:"enabled"`
	// Mode is measure (report only) or enforce (refuse above the max);
	// default enforce when a maximum is set, measure otherwise.
	Mode     string         `yaml:"mode"`
	Strategy DemandStrategy `yaml:"strategy"`
}

// DemandStrategy selects how cost is computed; static_estimated is the
// only strategy.
type DemandStrategy struct {
	StaticEstimated StaticEstimated `yaml:"static_estimated"`
}

// StaticEstimated configures the static estimate.
type StaticEstimated struct {
	// ListSize is the size assumed for list fields without @listSize
	// (default DefaultCostListSize).
	ListSize *int `yaml:"list_size"`
	// Max is the largest estimate enforce mode lets through; limits.max_cost
	// is the same setting under another name.
	Max float64 `yaml:"max"`
}

// DefaultCostListSize is the list size assumed when neither @listSize nor
// demand_control.strategy.static_estimated.list_size says otherwise.
const DefaultCostListSize = 10

// Demand modes.
const (
	DemandMeasure = "measure"
	DemandEnforce = "enforce"
)

// DemandSettings is demand control as configured, resolved: which mode,
// which list size, which maximum.
type DemandSettings struct {
	Enforce  bool
	ListSize int
	// Max is 0 when no maximum is set (measure mode only).
	Max float64
}

// Demand returns the demand-control settings, or nil when it is off. It is
// on with demand_control.enabled or with limits.max_cost alone (which then
// enforces, as the limits do).
func (c Config) Demand() *DemandSettings {
	d := c.DemandControl
	if !d.Enabled && c.Limits.MaxCost <= 0 {
		return nil
	}
	s := &DemandSettings{ListSize: DefaultCostListSize, Max: d.Strategy.StaticEstimated.Max}
	if d.Strategy.StaticEstimated.ListSize != nil {
		s.ListSize = *d.Strategy.StaticEstimated.ListSize
	}
	if s.Max <= 0 {
		s.Max = c.Limits.MaxCost
	}
	switch d.Mode {
	case DemandEnforce:
		s.Enforce = true
	case "":
		s.Enforce = s.Max > 0
	}
	return s
}

// validateDemandControl reports the demand_control and limits.max_cost
// problems.
func (c Config) validateDemandControl() []error {
	var errs []error
	d := c.DemandControl
	se := d.Strategy.StaticEstimated
	switch d.Mode {
	case "", DemandMeasure, DemandEnforce:
	default:
		errs = append(errs, fmt.Errorf("demand_control.mode: want measure or enforce, got %q", d.Mode))
	}
	if se.ListSize != nil && *se.ListSize < 0 {
		errs = append(errs, errors.New("demand_control.strategy.static_estimated.list_size: must not be negative"))
	}
	if se.Max < 0 {
		errs = append(errs, errors.New("demand_control.strategy.static_estimated.max: must not be negative"))
	}
	if c.Limits.MaxCost < 0 {
		errs = append(errs, errors.New("limits.max_cost: must not be negative"))
	}
	if se.Max > 0 && c.Limits.MaxCost > 0 && se.Max != c.Limits.MaxCost {
		errs = append(errs, fmt.Errorf("limits.max_cost (%v) and demand_control.strategy.static_estimated.max (%v) are the same setting: give one, or the same value", c.Limits.MaxCost, se.Max))
	}
	if s := c.Demand(); s != nil && s.Enforce && s.Max <= 0 {
		errs = append(errs, errors.New("demand_control.mode enforce: needs demand_control.strategy.static_estimated.max or limits.max_cost"))
	}
	return errs
}
