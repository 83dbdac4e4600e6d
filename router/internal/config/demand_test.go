package config

import (
	"strings"
	"testing"
)

func TestDemandControl(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, yaml string
		want       *DemandSettings
		wantErr    string
	}{
		{"off by default", ``, nil, ""},
		{"apollo keys, measure", `
demand_control:
  enabled: true
  mode: measure
  strategy:
    static_estimated: {list_size: 5, max: 100}
`, &DemandSettings{ListSize: 5, Max: 100}, ""},
		{"apollo keys, enforce", `
demand_control: {enabled: true, mode: enforce, strategy: {static_estimated: {max: 50}}}
`, &DemandSettings{Enforce: true, ListSize: DefaultCostListSize, Max: 50}, ""},
		{"enabled without max measures", `demand_control: {enabled: true}`, &DemandSettings{ListSize: DefaultCostListSize}, ""},
		{"limits.max_cost alone enforces", `limits: {max_cost: 30}`, &DemandSettings{Enforce: true, ListSize: DefaultCostListSize, Max: 30}, ""},
		{"limits.max_cost in measure mode", `
limits: {max_cost: 30}
demand_control: {enabled: true, mode: measure}
`, &DemandSettings{ListSize: DefaultCostListSize, Max: 30}, ""},
		{"same max under both names", `
limits: {max_cost: 30}
demand_control: {enabled: true, strategy: {static_estimated: {max: 30}}}
`, &DemandSettings{Enforce: true, ListSize: DefaultCostListSize, Max: 30}, ""},
		{"list size zero", `demand_control: {enabled: true, strategy: {static_estimated: {list_size: 0}}}`, &DemandSettings{ListSize: 0}, ""},
		{"two different maxima", `
limits: {max_cost: 30}
demand_control: {enabled: true, strategy: {static_estimated: {max: 40}}}
`, nil, "are the same setting"},
		{"unknown mode", `demand_control: {enabled: true, mode: strict}`, nil, "demand_control.mode: want measure or enforce"},
		{"enforce without max", `demand_control: {enabled: true, mode: enforce}`, nil, "needs demand_control.strategy.static_estimated.max or limits.max_cost"},
		{"negative values", `
limits: {max_cost: -1}
demand_control: {strategy: {static_estimated: {list_size: -2}}}
`, nil, "list_size: must not be negative"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			cfg, err := Load(writeFile(t, "supergraph: s.graphql\n"+c.yaml), []string{})
			if err != nil {
				t.Fatal(err)
			}
			err = cfg.Validate()
			if c.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), c.wantErr) {
					t.Fatalf("Validate() = %v, want %q", err, c.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			got := cfg.Demand()
			if (got == nil) != (c.want == nil) || (got != nil && *got != *c.want) {
				t.Fatalf("Demand() = %+v, want %+v", got, c.want)
			}
		})
	}
}

func TestDemandControlUnknownKey(t *testing.T) {
	t.Parallel()
	_, err := Load(writeFile(t, "demand_control: {enabled: true, strategy: {static_estimated: {max_cost: 3}}}\n"), []string{})
	if err == nil || !strings.Contains(err.Error(), "max_cost") {
		t.Fatalf("Load() = %v, want an unknown-key error", err)
	}
}

func TestOverrideLabelsConfig(t *testing.T) {
	t.Parallel()
	cfg, err := Load(writeFile(t, "supergraph: s.graphql\noverride_labels: [beta, \"percent(5)\"]\noverride_labels_header: x-override-labels\n"), []string{})
	if err != nil {
		t.Fatal(err)
	}
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	if got := cfg.OverrideLabels(); len(got) != 2 || got[0] != "beta" || cfg.OverrideLabelsHeader != "x-override-labels" {
		t.Fatalf("labels %v, header %q", got, cfg.OverrideLabelsHeader)
	}
	cfg, err = Load(writeFile(t, "supergraph: s.graphql\noverride_labels: [\"a,b\", \" \"]\noverride_labels_header: \"x override\"\n"), []string{})
	if err != nil {
		t.Fatal(err)
	}
	err = cfg.Validate()
	for _, want := range []string{`invalid label "a,b"`, `invalid label " "`, "override_labels_header: invalid header name"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Fatalf("Validate() = %v, want %q", err, want)
		}
	}
}
