module github.com/shopsupergraph/shop/loadgen

go 1.26.0

require (
	github.com/coder/websocket v1.8.14
	github.com/shopsupergraph/shop/buildinfo v0.0.0
	golang.org/x/sync v0.21.0
)

replace github.com/shopsupergraph/shop/buildinfo => ../buildinfo
