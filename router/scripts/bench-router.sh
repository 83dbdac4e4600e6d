#!/usr/bin/env bash
# Starts the router for ../shared/bench/run.sh: listens on
# 127.0.0.1:$GATEWAY_PORT and points the benchmark supergraph's subgraphs at
# 127.0.0.1:$SUBGRAPH_PORT, like the peer gateways' wrappers do.
# Usage: ROUTER_BIN=/path/to/router bench-router.sh [SUPERGRAPH]
# ROUTER_CONFIG names an optional router.yaml.
# ROUTER_GOGC / ROUTER_GOMEMLIMIT set GOGC / GOMEMLIMIT for the router only
# (exporting GOGC or GOMEMLIMIT itself would also tune k6, a Go program).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
supergraph="${1:-$here/../../../shared/bench/gateways/supergraph.graphql}"
bin="${ROUTER_BIN:-$here/../bin/router}"
work="${TMPDIR:-/tmp}/fedbench-ours-${GATEWAY_PORT:-4000}"
mkdir -p "$work"
sed "s#http://0.0.0.0:4200/#http://127.0.0.1:${SUBGRAPH_PORT:-4200}/#g" "$supergraph" > "$work/supergraph.graphql"
[ -n "${ROUTER_GOGC:-}" ] && export GOGC="$ROUTER_GOGC"
[ -n "${ROUTER_GOMEMLIMIT:-}" ] && export GOMEMLIMIT="$ROUTER_GOMEMLIMIT"
exec "$bin" --supergraph "$work/supergraph.graphql" --listen "127.0.0.1:${GATEWAY_PORT:-4000}" ${ROUTER_CONFIG:+--config "$ROUTER_CONFIG"}
