package config

import (
	"fmt"
	"strings"
)

// OverrideLabels returns the progressive @override labels active in every
// request (override_labels); "percent(N)" labels of the supergraph are
// drawn per request unless listed here, which turns them on always.
func (c Config) OverrideLabels() []string { return c.OverrideLabelList }

// validateOverride reports the progressive-override problems.
func (c Config) validateOverride() []error {
	var errs []error
	for _, l := range c.OverrideLabelList {
		if strings.TrimSpace(l) == "" || strings.Contains(l, ",") {
			errs = append(errs, fmt.Errorf("override_labels: invalid label %q", l))
		}
	}
	if h := c.OverrideLabelsHeader; h != "" && strings.ContainsAny(h, " :\t\r\n,") {
		errs = append(errs, fmt.Errorf("override_labels_header: invalid header name %q", h))
	}
	return errs
}
