module github.com/shopsupergraph/shop/subgraphs/users

go 1.26.0
