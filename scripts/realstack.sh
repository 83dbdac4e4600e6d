#!/usr/bin/env bash
# Real servers for `make test-real`: PostgreSQL with FerretDB on top (the
# MongoDB wire protocol), Apache Kafka in KRaft mode from its Maven Central
# jars, and Redis, all from registries this project reaches (apt, Maven
# Central, the Go module proxy). Each runs on a free loopback port with its
# data in a private state folder, so it never touches a system service or
# another run.
#
#   realstack.sh install           install or reuse (cached) what the servers need
#   realstack.sh start-all         start every server; writes $SHOP_REAL_STATE/env
#   realstack.sh stop-all          stop every server started in $SHOP_REAL_STATE
#   realstack.sh stop NAME         stop one: postgres | ferretdb | kafka | redis
#   realstack.sh kill NAME         SIGKILL one (a crash rather than a shutdown)
#   realstack.sh start NAME        start one again on its previous port, wait until it serves
#   realstack.sh ensure NAME       start NAME unless it is running (cleanup after a failed fault test)
#
# SHOP_REAL_STATE (required except for install) is the state folder;
# SHOP_CACHE (default ~/.cache/shop-real) keeps the Kafka jars and binaries.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CACHE="${SHOP_CACHE:-$HOME/.cache/shop-real}"
KAFKA_VERSION="$(sed -n 's:.*<kafka.version>\(.*\)</kafka.version>.*:\1:p' "$ROOT/scripts/kafka/pom.xml")"
KAFKA_LIBS="$CACHE/kafka-$KAFKA_VERSION/libs"
BIN="$CACHE/bin"

log() { printf '[realstack %(%H:%M:%S)T] %s\n' -1 "$*" >&2; }
die() { log "error: $*"; exit 1; }

pg_bindir() {
	local d
	for d in /usr/lib/postgresql/*/bin; do
		[[ -x "$d/initdb" ]] && { echo "$d"; return 0; }
	done
	return 1
}

# as_pg runs a PostgreSQL command as the postgres user when we are root
# (PostgreSQL refuses to run as root), and as ourselves otherwise.
as_pg() {
	if [[ $EUID -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi
}

install() {
	local missing=()
	command -v redis-server >/dev/null || missing+=(redis-server)
	# The package also creates the postgres user the server runs as.
	{ pg_bindir >/dev/null && id postgres >/dev/null 2>&1; } || missing+=(postgresql)
	command -v java >/dev/null || missing+=(openjdk-17-jre-headless)
	command -v mvn >/dev/null || missing+=(maven)
	if ((${#missing[@]})); then
		log "installing Debian packages: ${missing[*]}"
		local sudo=()
		[[ $EUID -eq 0 ]] || sudo=(sudo)
		"${sudo[@]}" apt-get update -qq
		DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq "${missing[@]}" >/dev/null
	else
		log "Debian packages present (redis-server, postgresql, java, maven)"
	fi
	if [[ ! -f "$KAFKA_LIBS/.complete" ]]; then
		log "resolving org.apache.kafka:kafka_2.13:$KAFKA_VERSION and its runtime dependencies from Maven Central"
		rm -rf "$KAFKA_LIBS"
		mkdir -p "$KAFKA_LIBS"
		mvn -q -B -Dstyle.color=never -f "$ROOT/scripts/kafka/pom.xml" dependency:copy-dependencies \
			-DincludeScope=runtime -DoutputDirectory="$KAFKA_LIBS"
		touch "$KAFKA_LIBS/.complete"
	else
		log "Kafka $KAFKA_VERSION jars cached in $KAFKA_LIBS"
	fi
	log "building ferretdb-pg and kafka-ready (Go build cache makes this quick after the first time)"
	mkdir -p "$BIN"
	(cd "$ROOT/stackcheck" && go build -o "$BIN/ferretdb-pg" ./cmd/ferretdb-pg && go build -o "$BIN/kafka-ready" ./cmd/kafka-ready)
}

free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

wait_tcp() { # port seconds name
	local i
	for ((i = 0; i < $2 * 10; i++)); do
		if (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; then return 0; fi
		sleep 0.1
	done
	die "$3 did not accept connections on 127.0.0.1:$1 within $2 s (log: $STATE/$3.log)"
}

state() { cat "$STATE/$1"; }

pid_alive() { [[ -f "$STATE/$1.pid" ]] && kill -0 "$(cat "$STATE/$1.pid")" 2>/dev/null; }

start_postgres() {
	local bindir port
	bindir="$(pg_bindir)" || die "PostgreSQL is not installed (run: realstack.sh install)"
	port="$(state postgres.port)"
	if [[ ! -d "$STATE/pg/data" ]]; then
		mkdir -p "$STATE/pg"
		[[ $EUID -eq 0 ]] && chown postgres:postgres "$STATE/pg"
		as_pg "$bindir/initdb" -D "$STATE/pg/data" -A trust -U postgres -E UTF8 --no-sync >"$STATE/postgres-init.log" 2>&1 ||
			die "initdb failed: $(tail -5 "$STATE/postgres-init.log")"
	fi
	# Durability settings are off: this is a throwaway test database.
	as_pg "$bindir/pg_ctl" -D "$STATE/pg/data" -l "$STATE/pg/postgres.log" -w -t 60 \
		-o "-p $port -k $STATE/pg -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300" \
		start >/dev/null || die "PostgreSQL did not start: $(tail -5 "$STATE/pg/postgres.log")"
	if [[ ! -f "$STATE/pg/.db" ]]; then
		as_pg "$bindir/psql" -q -h 127.0.0.1 -p "$port" -U postgres -c 'CREATE DATABASE ferretdb' >/dev/null
		touch "$STATE/pg/.db"
	fi
	# FerretDB's finds by _id scan the whole collection without a GIN index
	# on _jsonb->'_id' and plans made for the actual key; the file explains.
	# It is idempotent, so every start applies it (from stdin: the postgres
	# user may not be able to read our checkout).
	as_pg "$bindir/psql" -X -q -1 -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$port" -U postgres -d ferretdb \
		-f - <"$ROOT/scripts/ferretdb-pg-id-index.sql" >"$STATE/postgres-idindex.log" 2>&1 ||
		die "indexing FerretDB's _id look-ups failed: $(tail -5 "$STATE/postgres-idindex.log")"
}

stop_postgres() {
	local bindir
	bindir="$(pg_bindir)"
	[[ -f "$STATE/pg/data/postmaster.pid" ]] || return 0
	as_pg "$bindir/pg_ctl" -D "$STATE/pg/data" -m fast -w -t 60 stop >/dev/null
}

kill_postgres() {
	[[ -f "$STATE/pg/data/postmaster.pid" ]] || return 0
	kill -KILL "$(head -1 "$STATE/pg/data/postmaster.pid")" 2>/dev/null || true
	sleep 0.5
}

start_ferretdb() {
	"$BIN/ferretdb-pg" --listen "127.0.0.1:$(state ferretdb.port)" \
		--postgresql-url "postgres://postgres@127.0.0.1:$(state postgres.port)/ferretdb?pool_max_conns=50" \
		>>"$STATE/ferretdb.log" 2>&1 &
	echo $! >"$STATE/ferretdb.pid"
	wait_tcp "$(state ferretdb.port)" 30 ferretdb
}

start_redis() {
	redis-server --port "$(state redis.port)" --bind 127.0.0.1 --save '' --appendonly no \
		--daemonize no --dir "$STATE" >>"$STATE/redis.log" 2>&1 &
	echo $! >"$STATE/redis.pid"
	wait_tcp "$(state redis.port)" 20 redis
}

# KAFKA_JAVA is the JVM command line of the Kafka tools and broker. It is an
# array, not a function, so that `cmd &` starts java itself and $! is its pid.
KAFKA_JAVA=(java -Xms256m -Xmx512m -XX:+UseG1GC -Djava.awt.headless=true
	-Dorg.slf4j.simpleLogger.defaultLogLevel=warn -cp "$KAFKA_LIBS/*")

start_kafka() {
	[[ -f "$KAFKA_LIBS/.complete" ]] || die "Kafka jars missing (run: realstack.sh install)"
	local port cport
	port="$(state kafka.port)"
	cport="$(state kafka-controller.port)"
	if [[ ! -f "$STATE/kafka/server.properties" ]]; then
		mkdir -p "$STATE/kafka/data"
		cat >"$STATE/kafka/server.properties" <<EOF
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$cport
listeners=PLAINTEXT://127.0.0.1:$port,CONTROLLER://127.0.0.1:$cport
advertised.listeners=PLAINTEXT://127.0.0.1:$port
controller.listener.names=CONTROLLER
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
inter.broker.listener.name=PLAINTEXT
log.dirs=$STATE/kafka/data
num.partitions=3
auto.create.topics.enable=true
offsets.topic.replication.factor=1
offsets.topic.num.partitions=5
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
group.consumer.min.session.timeout.ms=1000
group.min.session.timeout.ms=1000
EOF
		"${KAFKA_JAVA[@]}" kafka.tools.StorageTool format -t "$("${KAFKA_JAVA[@]}" kafka.tools.StorageTool random-uuid 2>/dev/null | tail -1)" \
			-c "$STATE/kafka/server.properties" >"$STATE/kafka-format.log" 2>&1 ||
			die "Kafka storage format failed: $(tail -5 "$STATE/kafka-format.log")"
	fi
	"${KAFKA_JAVA[@]}" kafka.Kafka "$STATE/kafka/server.properties" >>"$STATE/kafka.log" 2>&1 &
	echo $! >"$STATE/kafka.pid"
	wait_tcp "$port" 90 kafka
	"$BIN/kafka-ready" --brokers "127.0.0.1:$port" --timeout 90s >&2
}

stop_pid() { # name signal
	local pid i
	[[ -f "$STATE/$1.pid" ]] || return 0
	pid="$(cat "$STATE/$1.pid")"
	kill "-$2" "$pid" 2>/dev/null || { rm -f "$STATE/$1.pid"; return 0; }
	for ((i = 0; i < 600; i++)); do
		kill -0 "$pid" 2>/dev/null || { rm -f "$STATE/$1.pid"; return 0; }
		sleep 0.1
	done
	log "$1 (pid $pid) ignored SIG$2 for 60 s; killing it"
	kill -KILL "$pid" 2>/dev/null || true
	rm -f "$STATE/$1.pid"
}

start_one() {
	local t0=$SECONDS
	case "$1" in
	postgres) start_postgres ;;
	ferretdb) start_ferretdb ;;
	redis) start_redis ;;
	kafka) start_kafka ;;
	*) die "unknown server $1 (postgres, ferretdb, kafka, redis)" ;;
	esac
	log "$1 up on 127.0.0.1:$(state "$1.port") ($((SECONDS - t0)) s)"
}

running() {
	case "$1" in
	postgres) [[ -f "$STATE/pg/data/postmaster.pid" ]] && as_pg "$(pg_bindir)/pg_ctl" -D "$STATE/pg/data" status >/dev/null 2>&1 ;;
	*) pid_alive "$1" ;;
	esac
}

stop_one() { # name signal
	case "$1" in
	postgres) if [[ $2 == KILL ]]; then kill_postgres; else stop_postgres; fi ;;
	ferretdb | redis | kafka) stop_pid "$1" "$2" ;;
	*) die "unknown server $1 (postgres, ferretdb, kafka, redis)" ;;
	esac
	log "$1 stopped (SIG$2)"
}

start_all() {
	mkdir -p "$STATE"
	# The postgres user must reach its data folder inside the state folder.
	chmod 755 "$STATE"
	local n
	for n in postgres ferretdb redis kafka kafka-controller; do free_port >"$STATE/$n.port"; done
	start_one postgres
	start_one ferretdb
	start_one redis
	start_one kafka
	cat >"$STATE/env" <<EOF
SHOP_TEST_MONGO_URI=mongodb://127.0.0.1:$(state ferretdb.port)/
SHOP_TEST_KAFKA_BROKERS=127.0.0.1:$(state kafka.port)
SHOP_TEST_REDIS_ADDR=127.0.0.1:$(state redis.port)
EOF
}

stop_all() {
	stop_pid kafka TERM
	stop_pid redis TERM
	stop_pid ferretdb TERM
	stop_postgres || kill_postgres
	log "all servers stopped"
}

cmd="${1:-}"
case "$cmd" in
install) install ;;
start-all | stop-all | start | stop | kill | ensure)
	STATE="${SHOP_REAL_STATE:?SHOP_REAL_STATE must name the state folder}"
	case "$cmd" in
	start-all) start_all ;;
	stop-all) stop_all ;;
	start) start_one "${2:?server name}" ;;
	stop) stop_one "${2:?server name}" TERM ;;
	kill) stop_one "${2:?server name}" KILL ;;
	ensure) running "${2:?server name}" || start_one "$2" ;;
	esac
	;;
*) die "usage: realstack.sh install | start-all | stop-all | start NAME | stop NAME | kill NAME | ensure NAME" ;;
esac
