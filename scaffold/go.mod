module github.com/shopsupergraph/shop/scaffold

go 1.26.0
