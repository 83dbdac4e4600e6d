module github.com/shopsupergraph/shop/buildinfo

go 1.26.0
