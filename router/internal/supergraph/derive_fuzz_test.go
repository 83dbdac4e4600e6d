package supergraph

import (
	"testing"
)

// FuzzDerive runs everything the router derives from a supergraph that
// parsed: subgraph SDLs and metadata, schemas and argument configurations
// must come out or fail with an error, never panic or loop.
func FuzzDerive(f *testing.F) {
	f.Add(fed2Header + fed2Body)
	f.Add(fed2Header + compoundKeyBody)
	f.Add(fed2Header + providesBody)
	f.Add(fed1Supergraph)
	f.Add(fed2Header + `type Query @join__type(graph: A) { a: I } interface I implements J { a: Int } interface J implements I { a: Int }`)
	f.Fuzz(func(t *testing.T, sdl string) {
		s, err := Parse(sdl)
		if err != nil {
			return
		}
		if _, err := s.Subgraphs(); err != nil {
			return
		}
		_ = s.ClientSchema()
		_ = s.RouterSchema()
		_ = s.FieldConfigurations()
	})
}
