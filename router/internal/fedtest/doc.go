// Package fedtest serves small federation subgraphs over HTTP and holds the
// router's federation feature corpus.
//
// A subgraph is built from its SDL (Federation 2 with @link, or Federation 1
// with extend type) and Go resolvers that return plain data. The package adds
// what every federation subgraph exposes (_service, _entities, _Any, _Entity),
// validates incoming operations with gqlparser and executes them with the
// usual GraphQL semantics: variables, aliases, fragments, abstract types,
// @skip/@include, errors with paths and non-null propagation. Every request is
// recorded so tests can assert batching and that excluded fields were never
// fetched.
//
// The corpus (Cases) pairs each feature situation with its subgraph SDLs,
// composed supergraph, queries and golden responses stored under
// router/testdata/federation. The goldens were produced by Apollo Gateway
// against these very subgraphs and then reviewed by hand; see the README there.
package fedtest
