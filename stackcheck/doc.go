// Package stackcheck validates the production stack description
// (docker-compose.yml, .env.example and the Dockerfiles) against the
// binaries it runs: their flags, the environment their LoadConfig reads and
// the endpoints they serve. No Docker engine runs on the machines that
// build this project, so this test is what proves the compose file right.
// What it knows about the binaries (Subgraphs, LoadRouterConfig, the
// Dockerfile readers) is exported for package kube, which checks the
// Kubernetes manifests under deploy/kubernetes the same way.
package stackcheck
