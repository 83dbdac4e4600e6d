module github.com/shopsupergraph/shop/devstack

go 1.26.0
