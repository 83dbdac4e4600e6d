// Package e2e is the shop's end-to-end suite: it builds the real binaries,
// runs the infrastructure, every subgraph and the router as separate
// processes on free ports, and drives the system only through the router's
// public GraphQL endpoint: the seed operations verbatim, a customer's
// journey, access rules, a buying race across replicas, process and broker
// faults, and hostile input. Run it with `make e2e`.
package e2e
