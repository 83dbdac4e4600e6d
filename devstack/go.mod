module github.com/shopsupergraph/shop/devstack

go 1.26.0

require golang.org/x/sync v0.21.0 // indirect
