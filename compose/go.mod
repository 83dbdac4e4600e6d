module github.com/shopsupergraph/shop/compose

go 1.26.0

require (
	github.com/agnivade/levenshtein v1.2.1 // indirect
	github.com/shopsupergraph/shop/buildinfo v0.0.0
	github.com/vektah/gqlparser/v2 v2.5.36 // indirect
	gopkg.in/yaml.v3 v3.0.1 // indirect
)

replace github.com/shopsupergraph/shop/buildinfo => ../buildinfo
