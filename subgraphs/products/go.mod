module github.com/shopsupergraph/shop/subgraphs/products

go 1.26.0
