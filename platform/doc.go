// Package platform holds the small amount of code every shop service shares:
// configuration, logging, authentication, MongoDB/Kafka/Redis helpers, the
// event envelope and outbox relay, health endpoints, the HTTP and GraphQL
// limits every subgraph serves behind (httpguard, gqlguard) and the
// internal REST contracts between services. Subgraphs never import each other; they meet
// only through federation, these contracts and the event types.
package platform
