module github.com/shopsupergraph/shop/subgraphs/orders

go 1.26.0
