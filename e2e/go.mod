module github.com/shopsupergraph/shop/e2e

go 1.26.0

require github.com/golang-jwt/jwt/v5 v5.2.2
