package graph

// Resolver holds the resolvers' dependencies.
type Resolver struct{}
