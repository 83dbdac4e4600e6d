module github.com/shopsupergraph/shop/devstack

go 1.26.0

require (
	github.com/shopsupergraph/shop/buildinfo v0.0.0
	golang.org/x/sync v0.21.0 // indirect
)

replace github.com/shopsupergraph/shop/buildinfo => ../buildinfo
