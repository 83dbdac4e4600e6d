module github.com/shopsupergraph/shop/playground

go 1.26.0
