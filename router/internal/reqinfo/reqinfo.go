// Package reqinfo carries what the GraphQL handler learned about a request
// (its operation name, an inspected query plan) back out to the middlewares
// that wrap it: metrics, the access log and query-plan inspection. Only
// those middlewares attach an Info, so requests pay for it only when one of
// them is enabled.
package reqinfo

import "context"

// Info is filled in while the request is handled. It is owned by one
// request and must not be shared between goroutines without care: the
// handler writes it before the response is written, middlewares read it
// after the inner handler returned.
type Info struct {
	// OperationName is the executed operation's name ("" when anonymous).
	OperationName string
	// OperationType is query, mutation or subscription ("" when the
	// document names no such operation).
	OperationType string
	// QueryPlan is the plan to return in the response extensions, when the
	// client asked for it and inspection is enabled.
	QueryPlan any
}

type ctxKey struct{}

// With returns ctx carrying info, reusing one that is already there so all
// middlewares share the same Info.
func With(ctx context.Context) (context.Context, *Info) {
	if info := From(ctx); info != nil {
		return ctx, info
	}
	info := &Info{}
	return context.WithValue(ctx, ctxKey{}, info), info
}

// From returns the request's Info, or nil when no middleware asked for one.
func From(ctx context.Context) *Info {
	info, _ := ctx.Value(ctxKey{}).(*Info)
	return info
}
