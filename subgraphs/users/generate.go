// Package users is the users subgraph: registration, login, JWTs and the
// federated User entity. The code lives in app/, graph/ and internal/; this
// file only drives code generation.
package users

//go:generate go run github.com/99designs/gqlgen generate
