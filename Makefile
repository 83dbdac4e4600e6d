# Shop supergraph: one Makefile for the whole workspace.
# `make run` starts everything on embedded infrastructure; `make test` needs only Go.

SHELL := /bin/bash
GO ?= go
MODULES := buildinfo platform playground subgraphs/users subgraphs/products subgraphs/orders subgraphs/webhooks router compose devstack e2e stackcheck loadgen scaffold
DATA_DIR ?= .data
GOLANGCI_VERSION ?= v2.6.2
TEST_FLAGS ?= -count=1 -timeout 15m

.PHONY: run test test-real generate compose check lint vet fmt bench build e2e fuzz soak subgraph operations

## run: the whole system on embedded FerretDB, Kafka and Redis (router on :8080);
## ROUTER_CONFIG=router.yaml configures its router (docs/configuration.md)
ROUTER_CONFIG ?=
run:
	$(GO) run ./devstack/cmd/shop --data $(DATA_DIR)$(if $(ROUTER_CONFIG), --router-config $(ROUTER_CONFIG))

## build: every binary into bin/, stamped with the version and commit that `--version` prints
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo devel)
COMMIT ?= $(shell git rev-parse HEAD 2>/dev/null || echo unknown)
stamp = -ldflags "-X github.com/shopsupergraph/shop/buildinfo.Version=$(VERSION) -X github.com/shopsupergraph/shop/buildinfo.Commit=$(COMMIT)"
build:
	@mkdir -p bin
	cd subgraphs/users && $(GO) build $(stamp) -o ../../bin/users ./cmd/users
	cd subgraphs/products && $(GO) build $(stamp) -o ../../bin/products ./cmd/products
	cd subgraphs/orders && $(GO) build $(stamp) -o ../../bin/orders ./cmd/orders
	cd subgraphs/webhooks && $(GO) build $(stamp) -o ../../bin/webhooks ./cmd/webhooks
	cd router && $(GO) build $(stamp) -o ../bin/router ./cmd/router
	cd compose && $(GO) build $(stamp) -o ../bin/compose ./cmd/compose
	cd devstack && $(GO) build $(stamp) -o ../bin/shop ./cmd/shop
	cd loadgen && $(GO) build $(stamp) -o ../bin/loadgen ./cmd/loadgen

## test: unit and integration tests of every module (embedded stand-ins; needs only Go)
test:
	@failed=""; for m in $(MODULES); do \
		echo "== go test $$m"; (cd $$m && $(GO) test $(TEST_FLAGS) ./...) || failed="$$failed $$m"; \
	done; \
	if [ -n "$$failed" ]; then echo "FAILED modules:$$failed"; exit 1; fi

## test-real: the integration suites against real servers (see scripts/test-real.sh)
test-real:
	bash scripts/test-real.sh

## generate: regenerate gqlgen code; CI checks that the tree stays clean
generate:
	@set -e; for m in subgraphs/users subgraphs/products subgraphs/orders subgraphs/webhooks; do (cd $$m && $(GO) generate ./...); done

## compose: rebuild supergraph.graphql from the subgraph schemas
compose:
	cd compose && $(GO) run ./cmd/compose supergraph --config ../supergraph.yaml -o ../supergraph.graphql
	cp supergraph.graphql deploy/kubernetes/base/router/supergraph.graphql

## subgraph: add a subgraph, e.g. `make subgraph NAME=reviews` (PORT=4004 optional): writes
## subgraphs/NAME, registers it everywhere subgraphs are listed, runs go generate (docs/adding-a-subgraph.md)
subgraph:
	$(GO) run ./scaffold/cmd/newsubgraph $(if $(PORT),--port $(PORT)) "$(NAME)"

## check: supergraph is fresh and compatible with the clients' operations (the seed's and the
## e2e suite's, OPERATIONS), generated code is reproducible
# BASE=<git rev> also compares with the supergraph clients use at that
# revision (e.g. BASE=origin/main in a pull request), so a breaking change
# fails even after supergraph.graphql was recomposed.
check:
	@if [ -n "$(BASE)" ]; then \
		git show "$(BASE):supergraph.graphql" > .check-base.graphql && \
		(cd compose && $(GO) run ./cmd/compose check --config ../supergraph.yaml --supergraph ../supergraph.graphql --base ../.check-base.graphql --operations ../$(OPERATIONS)); \
		rc=$$?; rm -f .check-base.graphql; exit $$rc; \
	else \
		cd compose && $(GO) run ./cmd/compose check --config ../supergraph.yaml --supergraph ../supergraph.graphql --operations ../$(OPERATIONS); \
	fi
	$(MAKE) generate
	git diff --exit-code -- subgraphs

## operations: re-record the client operations `make check` validates (every operation the e2e
## suite sends through a router and gets data for) into e2e/testdata/operations
OPERATIONS ?= e2e/testdata
operations:
	rm -rf e2e/testdata/operations
	cd e2e && SHOP_E2E=1 E2E_RECORD_OPERATIONS=$(CURDIR)/e2e/testdata/operations $(GO) test -count=1 -timeout 20m ./...

vet:
	@set -e; for m in $(MODULES); do (cd $$m && $(GO) vet ./...); done

fmt:
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || (gofmt -l $$(git ls-files '*.go'); exit 1)

## lint: gofmt, go vet and golangci-lint on every module
lint: fmt vet
	@set -e; for m in $(MODULES); do (cd $$m && $(GO) run github.com/golangci/golangci-lint/v2/cmd/golangci-lint@$(GOLANGCI_VERSION) run --config $(CURDIR)/.golangci.yml ./...); done

## bench: router microbenchmarks (incl. how cost grows with fan-out and supergraph size),
## then the shop load run through the router, products cache on and off (docs/benchmarks.md)
BENCH_DURATION ?= 20s
BENCH_FLAGS ?=
bench:
	cd router && $(GO) test -run '^$$' -bench . -benchmem ./...
	cd loadgen && $(GO) run ./cmd/loadgen --format markdown --duration $(BENCH_DURATION) $(BENCH_FLAGS)
	cd loadgen && $(GO) run ./cmd/loadgen --format markdown --duration $(BENCH_DURATION) --no-cache $(BENCH_FLAGS)

## e2e: the end-to-end suite: real binaries as separate processes, driven through the router
e2e:
	cd e2e && SHOP_E2E=1 $(GO) test -count=1 -timeout 20m ./...

## soak: a bounded mixed workload (90% browsing, 10% ordering) against the whole system as processes
## for SOAK_DURATION: zero 5xx, invariant intact, no steady RSS growth per process (figures printed).
## Never part of test or e2e (the test skips without SHOP_SOAK). Knobs: see e2e/README.md.
SOAK_DURATION ?= 3m
soak:
	cd e2e && SHOP_E2E=1 SHOP_SOAK=1 SOAK_DURATION=$(SOAK_DURATION) $(GO) test -count=1 -v -run '^TestSoak$$' -timeout 60m .

## fuzz: each fuzz target for 10s (router request handling, supergraph reader, compose SDL); corpora stay in testdata/fuzz
fuzz:
	cd router && $(GO) test -run '^$$' -fuzz '^FuzzRouterRequest$$' -fuzztime 10s ./app
	cd router && $(GO) test -run '^$$' -fuzz '^FuzzParse$$' -fuzztime 10s ./internal/supergraph
	cd compose && $(GO) test -run '^$$' -fuzz '^FuzzComposeSDL$$' -fuzztime 10s .
