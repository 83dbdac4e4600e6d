module github.com/shopsupergraph/shop/e2e

go 1.26.0

require (
	github.com/golang-jwt/jwt/v5 v5.2.2
	go.opentelemetry.io/proto/otlp v1.10.0
	google.golang.org/protobuf v1.36.11
)
