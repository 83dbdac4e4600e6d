//go:build tools

package products

// The gqlgen generator is pinned in go.mod through this import so that
// `go generate ./...` runs the same version everywhere.
import _ "github.com/99designs/gqlgen"
