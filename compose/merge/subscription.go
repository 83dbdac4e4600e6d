package merge

import "github.com/shopsupergraph/shop/compose/subgraph"

// validateSubscriptionField refuses @shareable on a subscription root
// field: a subscription is one long-lived stream from one subgraph, so the
// router could not split it. (Our model does not tell a field's own
// @shareable from its type's; Apollo looks at the field's only.)
func (m *merger) validateSubscriptionField(coord string, fsrc []*subgraph.Field) {
	for i, f := range fsrc {
		if f != nil && f.Shareable && m.subs[i].Fed2 {
			m.errs.Add("INVALID_FIELD_SHARING", "", coord, "Fields on root level subscription object cannot be marked as shareable")
			return
		}
	}
}
