#!/usr/bin/env bash
# `make test-real`: the integration suites against real servers instead of
# the embedded stand-ins. It installs (cached) and starts PostgreSQL with
# FerretDB, Apache Kafka (KRaft) and Redis on free loopback ports
# (scripts/realstack.sh), runs every module's integration packages (those
# using platform/testenv) with SHOP_TEST_* set so testenv hands out those
# addresses, then runs the fault tests
# (stackcheck/realfault), which stop and restart the servers. The servers are
# stopped on exit, whatever happens.
#
# Environment:
#   SHOP_CACHE        cache folder for the Kafka jars and helper binaries (~/.cache/shop-real)
#   TEST_REAL_MODULES modules to test (default: every module of the Makefile)
#   TEST_FLAGS        go test flags (default: -count=1 -timeout 15m)
#   KEEP_STATE=1      keep the servers' data and logs after the run
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
STACK="$ROOT/scripts/realstack.sh"
START=$SECONDS

say() { printf '\n== test-real [%3d s] %s\n' "$((SECONDS - START))" "$*"; }

MODULES="${TEST_REAL_MODULES:-$(sed -n 's/^MODULES := //p' Makefile)}"
read -r -a FLAGS <<<"${TEST_FLAGS:--count=1 -timeout 15m}"

say "install (apt: redis-server postgresql; Maven Central: Kafka; go build: FerretDB runner)"
bash "$STACK" install

SHOP_REAL_STATE="$(mktemp -d "${TMPDIR:-/tmp}/shop-real.XXXXXX")"
export SHOP_REAL_STATE
cleanup() {
	local rc=$?
	say "stopping servers"
	bash "$STACK" stop-all || true
	if [[ $rc -ne 0 ]]; then
		echo "server logs kept in $SHOP_REAL_STATE (*.log, pg/postgres.log)"
	elif [[ "${KEEP_STATE:-}" != 1 ]]; then
		rm -rf "$SHOP_REAL_STATE"
	fi
	say "done (exit $rc)"
	exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

say "start PostgreSQL + FerretDB, Redis, Kafka (state: $SHOP_REAL_STATE)"
bash "$STACK" start-all
set -a
# shellcheck disable=SC1091
source "$SHOP_REAL_STATE/env"
set +a
echo "SHOP_TEST_MONGO_URI=$SHOP_TEST_MONGO_URI (FerretDB on PostgreSQL)"
echo "SHOP_TEST_KAFKA_BROKERS=$SHOP_TEST_KAFKA_BROKERS (Apache Kafka, KRaft)"
echo "SHOP_TEST_REDIS_ADDR=$SHOP_TEST_REDIS_ADDR (redis-server)"

# The integration packages are those whose tests reach the infrastructure
# through platform/testenv; the rest (router planning, composition, pure
# units) do not touch a server and already ran in `make test`. The suites
# share the servers, so nothing may stop them while they run: the fault
# tests only run in the second pass, when SHOP_TEST_REAL_CONTROL is set.
integration_packages() {
	go list -test -f '{{.ImportPath}} {{join .Deps " "}}' ./... |
		awk '/ github.com\/shopsupergraph\/shop\/platform\/testenv( |$)/ {print $1}' |
		{ grep -v '\.test$' || true; } | sed 's/_test$//' | sort -u
}
failed=()
for m in $MODULES; do
	pkgs="$(cd "$m" && integration_packages)" || { failed+=("$m (go list)"); continue; }
	if [[ -z "$pkgs" ]]; then
		echo "-- $m: no package uses platform/testenv; nothing to run against real servers"
		continue
	fi
	say "go test $m: $(wc -l <<<"$pkgs") integration package(s) against real servers"
	# shellcheck disable=SC2086
	if ! (cd "$m" && go test "${FLAGS[@]}" $pkgs); then
		failed+=("$m")
	fi
done

say "fault tests (stop and restart Kafka, Redis, PostgreSQL under load)"
export SHOP_TEST_REAL_CONTROL="bash $STACK"
if ! (cd stackcheck && go test "${FLAGS[@]}" -v -run 'TestReal' ./realfault/); then
	failed+=("stackcheck/realfault")
fi
unset SHOP_TEST_REAL_CONTROL

if ((${#failed[@]})); then
	say "FAILED against real servers: ${failed[*]}"
	exit 1
fi
say "every suite passed against real servers"
