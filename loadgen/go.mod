module github.com/shopsupergraph/shop/loadgen

go 1.26.0

require golang.org/x/sync v0.21.0
