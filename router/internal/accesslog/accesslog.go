// Package accesslog writes one structured record per HTTP request: method,
// path, status, duration, size, GraphQL operation name and whether the
// response carried errors. It is off unless configured.
package accesslog

import (
	"log/slog"
	"net/http"
	"time"

	"github.com/shopsupergraph/shop/router/internal/reqinfo"
)

// Middleware logs each request handled by next to logger at info level.
func Middleware(logger *slog.Logger, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		ctx, info := reqinfo.With(r.Context())
		rec := reqinfo.NewRecorder(w)
		next.ServeHTTP(rec, r.WithContext(ctx))
		status := rec.Status
		if status == 0 {
			status = http.StatusOK
		}
		attrs := []slog.Attr{
			slog.String("method", r.Method),
			slog.String("path", r.URL.Path),
			slog.Int("status", status),
			slog.Duration("duration", time.Since(start)),
			slog.Int("bytes", rec.Bytes),
			slog.String("remote", r.RemoteAddr),
		}
		if info.OperationName != "" {
			attrs = append(attrs, slog.String("operation", info.OperationName))
		}
		if rec.GraphQLErrors {
			attrs = append(attrs, slog.Bool("graphql_errors", true))
		}
		if tp := r.Header.Get("Traceparent"); tp != "" {
			attrs = append(attrs, slog.String("traceparent", tp))
		}
		logger.LogAttrs(ctx, slog.LevelInfo, "access", attrs...)
	})
}
