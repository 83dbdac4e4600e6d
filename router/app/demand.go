package app

import (
	"github.com/shopsupergraph/shop/router/internal/config"
	"github.com/shopsupergraph/shop/router/internal/engine"
)

// demandControl translates demand_control (and limits.max_cost) into the
// engine's settings; nil when off.
func demandControl(cfg config.Config) *engine.DemandControl {
	d := cfg.Demand()
	if d == nil {
		return nil
	}
	return &engine.DemandControl{Enforce: d.Enforce, ListSize: d.ListSize, Max: d.Max}
}
