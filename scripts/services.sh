#!/usr/bin/env bash
# Test services for the server-grade storage backends, on 127.0.0.1 only:
#   - one PostgreSQL server (state store: alerts, outbox, checkpoints, ...)
#   - a two-shard ClickHouse cluster: two clickhouse-server processes, each with its own
#     config.xml, ports and data directory, and a `remote_servers` entry `heistguard` naming
#     both shards (no ZooKeeper: DDL is run on each server by the program).
#
# Usage: scripts/services.sh start [--holder PID] | release PID | stop | env | status
#   start   install the servers with apt-get when missing, start them if not running, print env.
#           With --holder PID (a test run), the servers are shared: `release PID` stops them
#           only when no other live holder remains and nobody started them by hand.
#   release drop holder PID; stop the servers when it was the last one (see start)
#   env     print the env of running services (exit 1 when they are not running)
#   stop    stop every process this script started (by the pids it recorded)
#   status  print one line per server
#
# The env lines are `export NAME=value`, so `eval "$(scripts/services.sh start)"` works:
#   HEISTGUARD_TEST_PG_URL   postgres://postgres@127.0.0.1:PORT/postgres
#   HEISTGUARD_TEST_CH_URLS  http://127.0.0.1:PORT1,http://127.0.0.1:PORT2  (shard 1, shard 2)
#   HEISTGUARD_TEST_CH_CLUSTER  heistguard
#
# State lives in .tmp/services/ (git-ignored) or $HEISTGUARD_SERVICES_DIR. Logs go to stderr.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
DIR="${HEISTGUARD_SERVICES_DIR:-$ROOT/.tmp/services}"
CLUSTER=heistguard
CH_BIN=/usr/sbin/clickhouse-server

log() { echo "services: $*" >&2; }
die() {
  echo "services: error: $*" >&2
  exit 1
}

mkdir -p "$DIR"
DIR="$(cd "$DIR" && pwd)"

# One start/stop at a time (parallel test runs, several engineers on one checkout). The
# servers are started with fd 9 closed, or they would hold the lock for their lifetime.
exec 9>"$DIR/.lock"
if command -v flock >/dev/null 2>&1; then
  flock -w 300 9 || die "timed out waiting for $DIR/.lock"
fi

# --- helpers ---------------------------------------------------------------------------

pg_bindir() {
  local d
  if command -v pg_config >/dev/null 2>&1; then
    d="$(pg_config --bindir 2>/dev/null || true)"
    [ -x "$d/pg_ctl" ] && [ -x "$d/initdb" ] && {
      echo "$d"
      return 0
    }
  fi
  for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -t/ -k5 -n -r); do
    [ -x "$d/pg_ctl" ] && [ -x "$d/initdb" ] && {
      echo "$d"
      return 0
    }
  done
  return 1
}

# Port is accepting TCP connections on 127.0.0.1.
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# N distinct free ports, chosen by the kernel (bind to port 0) and released right away.
free_ports() {
  node -e '
    const net = require("node:net");
    const n = Number(process.argv[1]);
    const servers = [];
    const ports = [];
    const next = () => {
      if (ports.length === n) {
        for (const s of servers) s.close();
        console.log(ports.join(" "));
        return;
      }
      const s = net.createServer();
      s.listen(0, "127.0.0.1", () => { servers.push(s); ports.push(s.address().port); next(); });
    };
    next();
  ' "$1"
}

pid_alive() { [ -n "${1:-}" ] && kill -0 "$1" 2>/dev/null; }

read_pid() { [ -f "$1" ] && tr -dc '0-9' <"$1" || true; }

# Run as the postgres user when we are root (PostgreSQL refuses to run as root).
as_pg() {
  if [ "$(id -u)" = 0 ]; then
    if command -v runuser >/dev/null 2>&1; then
      runuser -u postgres -- "$@"
    else
      su -s /bin/sh postgres -c "$(printf '%q ' "$@")"
    fi
  else
    "$@"
  fi
}

install_missing() {
  local need=()
  pg_bindir >/dev/null || need+=(postgresql)
  [ -x "$CH_BIN" ] || need+=(clickhouse-server)
  [ ${#need[@]} -eq 0 ] && return 0
  command -v apt-get >/dev/null 2>&1 || die "missing ${need[*]} and no apt-get: install them by hand"
  [ "$(id -u)" = 0 ] || die "missing ${need[*]}: run 'sudo apt-get install -y ${need[*]}' (needs root)"
  log "installing ${need[*]} with apt-get"
  local t0=$SECONDS
  # The package lists may be absent on a fresh machine: update once, then install.
  if ! DEBIAN_FRONTEND=noninteractive apt-get install -y -q -o DPkg::Lock::Timeout=300 \
    "${need[@]}" >"$DIR/apt.log" 2>&1; then
    DEBIAN_FRONTEND=noninteractive apt-get update -q -o DPkg::Lock::Timeout=300 >>"$DIR/apt.log" 2>&1 ||
      die "apt-get update failed (see $DIR/apt.log): $(tail -n 3 "$DIR/apt.log" | tr '\n' ' ')"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q -o DPkg::Lock::Timeout=300 \
      "${need[@]}" >>"$DIR/apt.log" 2>&1 ||
      die "apt-get install ${need[*]} failed (see $DIR/apt.log): $(tail -n 3 "$DIR/apt.log" | tr '\n' ' ')"
  fi
  log "installed ${need[*]} in $((SECONDS - t0)) s"
  pg_bindir >/dev/null || die "postgresql installed but no pg_ctl/initdb found under /usr/lib/postgresql"
  [ -x "$CH_BIN" ] || die "clickhouse-server installed but $CH_BIN is missing"
}

# --- PostgreSQL ------------------------------------------------------------------------

# The data dir must be reachable by the postgres user; a checkout under a private home is
# not, so fall back to a private temp dir then.
pg_data_dir() {
  local d="$DIR/pg"
  if [ "$(id -u)" = 0 ]; then
    mkdir -p "$d"
    chown postgres: "$d"
    if ! as_pg test -w "$d" 2>/dev/null; then
      d="${TMPDIR:-/tmp}/heistguard-services-$(printf '%s' "$DIR" | cksum | cut -d' ' -f1)/pg"
      mkdir -p "$d"
      chmod 755 "$(dirname "$d")"
      chown postgres: "$d"
    fi
  fi
  mkdir -p "$d"
  echo "$d"
}

pg_running() {
  local port pid
  port="$(cat "$DIR/pg.port" 2>/dev/null || true)"
  pid="$(read_pid "$DIR/pg.pid")"
  [ -n "$port" ] && pid_alive "$pid" && port_open "$port"
}

pg_start() {
  local bindir data port attempt pid
  bindir="$(pg_bindir)"
  data="$(pg_data_dir)"
  echo "$data" >"$DIR/pg.datadir"
  if [ ! -f "$data/PG_VERSION" ]; then
    # trust auth is fine: the server listens on 127.0.0.1 only and holds throwaway test data.
    as_pg "$bindir/initdb" -D "$data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 \
      >"$DIR/pg-initdb.log" 2>&1 ||
      as_pg "$bindir/initdb" -D "$data" -U postgres --auth=trust -E UTF8 --no-locale \
        >"$DIR/pg-initdb.log" 2>&1 ||
      die "initdb failed: $(tail -n 3 "$DIR/pg-initdb.log" | tr '\n' ' ')"
  fi
  # A stale postmaster.pid from a killed server blocks the start; pg_ctl only removes it
  # when the recorded process is gone, which we check first.
  pid="$(head -n1 "$data/postmaster.pid" 2>/dev/null | tr -dc '0-9' || true)"
  if [ -n "$pid" ] && ! pid_alive "$pid"; then rm -f "$data/postmaster.pid"; fi
  for attempt in 1 2 3 4 5; do
    port="$(free_ports 1)"
    # Socket dir in the data dir: /var/run/postgresql may not exist or be writable.
    if as_pg "$bindir/pg_ctl" -D "$data" -w -t 60 -l "$data/server.log" \
      -o "-c listen_addresses=127.0.0.1 -p $port -c unix_socket_directories=$data -c max_connections=200 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c shared_buffers=128MB" \
      start >"$DIR/pg-ctl.log" 2>&1 9>&-; then
      pid="$(head -n1 "$data/postmaster.pid" | tr -dc '0-9')"
      echo "$pid" >"$DIR/pg.pid"
      echo "$port" >"$DIR/pg.port"
      wait_port "$port" "postgresql" || die "postgresql did not open port $port"
      return 0
    fi
    log "postgresql start on port $port failed (attempt $attempt): $(tail -n 2 "$data/server.log" 2>/dev/null | tr '\n' ' ')"
    sleep 1
  done
  die "postgresql did not start; see $data/server.log"
}

pg_stop() {
  local data pid bindir
  data="$(cat "$DIR/pg.datadir" 2>/dev/null || true)"
  pid="$(read_pid "$DIR/pg.pid")"
  if pid_alive "$pid"; then
    if [ -n "$data" ] && bindir="$(pg_bindir)"; then
      as_pg "$bindir/pg_ctl" -D "$data" -m fast -w -t 30 stop >/dev/null 2>&1 || true
    fi
    pid_alive "$pid" && kill -TERM "$pid" 2>/dev/null || true
    wait_gone "$pid" || kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$DIR/pg.pid" "$DIR/pg.port"
}

# --- ClickHouse ------------------------------------------------------------------------

ch_running() {
  local i pid http
  for i in 1 2; do
    pid="$(read_pid "$DIR/ch$i/pid")"
    http="$(cut -d' ' -f1 "$DIR/ch$i/ports" 2>/dev/null || true)"
    [ -n "$http" ] && pid_alive "$pid" && port_open "$http" || return 1
  done
}

ch_write_config() {
  local i=$1 http=$2 tcp=$3 inter=$4 tcp1=$5 tcp2=$6 d="$DIR/ch$1"
  mkdir -p "$d/data/tmp" "$d/data/user_files" "$d/data/format_schemas"
  cat >"$d/config.xml" <<EOF
<?xml version="1.0"?>
<!-- Generated by scripts/services.sh: shard $i of the two-shard test cluster. -->
<yandex>
  <logger>
    <level>warning</level>
    <log>$d/server.log</log>
    <errorlog>$d/server.err.log</errorlog>
    <size>10M</size>
    <count>1</count>
  </logger>
  <listen_host>127.0.0.1</listen_host>
  <http_port>$http</http_port>
  <tcp_port>$tcp</tcp_port>
  <interserver_http_port>$inter</interserver_http_port>
  <interserver_http_host>127.0.0.1</interserver_http_host>
  <path>$d/data/</path>
  <tmp_path>$d/data/tmp/</tmp_path>
  <user_files_path>$d/data/user_files/</user_files_path>
  <format_schema_path>$d/data/format_schemas/</format_schema_path>
  <users_config>$d/users.xml</users_config>
  <default_profile>default</default_profile>
  <default_database>default</default_database>
  <timezone>UTC</timezone>
  <mark_cache_size>268435456</mark_cache_size>
  <uncompressed_cache_size>268435456</uncompressed_cache_size>
  <max_concurrent_queries>100</max_concurrent_queries>
  <keep_alive_timeout>10</keep_alive_timeout>
  <remote_servers>
    <$CLUSTER>
      <shard><internal_replication>false</internal_replication><replica><host>127.0.0.1</host><port>$tcp1</port></replica></shard>
      <shard><internal_replication>false</internal_replication><replica><host>127.0.0.1</host><port>$tcp2</port></replica></shard>
    </$CLUSTER>
  </remote_servers>
</yandex>
EOF
  cat >"$d/users.xml" <<'EOF'
<?xml version="1.0"?>
<yandex>
  <profiles>
    <default>
      <max_memory_usage>4000000000</max_memory_usage>
      <load_balancing>random</load_balancing>
    </default>
  </profiles>
  <users>
    <default>
      <password></password>
      <networks><ip>127.0.0.1</ip><ip>::1</ip></networks>
      <profile>default</profile>
      <quota>default</quota>
    </default>
  </users>
  <quotas>
    <default>
      <interval>
        <duration>3600</duration><queries>0</queries><errors>0</errors>
        <result_rows>0</result_rows><read_rows>0</read_rows><execution_time>0</execution_time>
      </interval>
    </default>
  </quotas>
</yandex>
EOF
  echo "$http $tcp $inter" >"$d/ports"
}

ch_start() {
  local attempt i pid ports http ok
  for attempt in 1 2 3 4 5; do
    ch_stop
    # shellcheck disable=SC2207
    ports=($(free_ports 6))
    ch_write_config 1 "${ports[0]}" "${ports[1]}" "${ports[2]}" "${ports[1]}" "${ports[4]}"
    ch_write_config 2 "${ports[3]}" "${ports[4]}" "${ports[5]}" "${ports[1]}" "${ports[4]}"
    ok=1
    for i in 1 2; do
      rm -f "$DIR/ch$i/pid"
      if ! "$CH_BIN" --config-file="$DIR/ch$i/config.xml" --pid-file="$DIR/ch$i/pid" --daemon \
        >"$DIR/ch$i/stdout.log" 2>&1 9>&-; then
        ok=0
      fi
    done
    if [ $ok = 1 ]; then
      for i in 1 2; do
        http="$(cut -d' ' -f1 "$DIR/ch$i/ports")"
        wait_port "$http" "clickhouse shard $i" && wait_ch_ping "$http" || ok=0
      done
    fi
    if [ $ok = 1 ]; then return 0; fi
    log "clickhouse start failed (attempt $attempt): $(tail -n 2 "$DIR"/ch*/server.err.log 2>/dev/null | tr '\n' ' ')"
    sleep 1
  done
  die "clickhouse did not start; see $DIR/ch1/server.err.log and $DIR/ch2/server.err.log"
}

# ClickHouse answers "Ok." on /ping once it can serve queries (the port opens a bit earlier).
wait_ch_ping() {
  local n line
  for n in $(seq 1 300); do
    line="$( (exec 3<>"/dev/tcp/127.0.0.1/$1" && printf 'GET /ping HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n' >&3 && tail -n 1 <&3) 2>/dev/null || true)"
    [ "${line%%[[:space:]]*}" = "Ok." ] && return 0
    sleep 0.1
  done
  return 1
}

ch_stop() {
  local i pid
  for i in 1 2; do
    pid="$(read_pid "$DIR/ch$i/pid")"
    if pid_alive "$pid"; then
      kill -TERM "$pid" 2>/dev/null || true
      wait_gone "$pid" || kill -KILL "$pid" 2>/dev/null || true
    fi
    rm -f "$DIR/ch$i/pid"
  done
}

# Wait (up to 30 s) for a port to accept connections; the servers may take a moment.
wait_port() {
  local n
  for n in $(seq 1 300); do
    port_open "$1" && return 0
    sleep 0.1
  done
  log "$2 is not listening on 127.0.0.1:$1"
  return 1
}

# Wait (up to 15 s) for a process to exit.
wait_gone() {
  local n
  for n in $(seq 1 150); do
    pid_alive "$1" || return 0
    sleep 0.1
  done
  return 1
}

print_env() {
  local h1 h2
  h1="$(cut -d' ' -f1 "$DIR/ch1/ports")"
  h2="$(cut -d' ' -f1 "$DIR/ch2/ports")"
  echo "export HEISTGUARD_TEST_PG_URL=postgres://postgres@127.0.0.1:$(cat "$DIR/pg.port")/postgres"
  echo "export HEISTGUARD_TEST_CH_URLS=http://127.0.0.1:$h1,http://127.0.0.1:$h2"
  echo "export HEISTGUARD_TEST_CH_CLUSTER=$CLUSTER"
}

# --- commands --------------------------------------------------------------------------

# Test runs that use the servers: one file per holder pid, so that one run finishing does not
# stop the servers under another run still going on the same checkout.
HOLDERS="$DIR/holders"
live_holders() {
  local f pid n=0
  mkdir -p "$HOLDERS"
  for f in "$HOLDERS"/*; do
    [ -e "$f" ] || continue
    pid="${f##*/}"
    if pid_alive "$pid"; then n=$((n + 1)); else rm -f "$f"; fi
  done
  echo "$n"
}

cmd="${1:-}"
case "$cmd" in
start)
  t0=$SECONDS
  holder=""
  if [ "${2:-}" = "--holder" ]; then
    holder="${3:-}"
    [[ "$holder" =~ ^[0-9]+$ ]] || die "--holder needs a pid"
  fi
  if [ -n "$holder" ]; then
    mkdir -p "$HOLDERS"
    # Servers already running with no live holder were started by hand: leave them running.
    if pg_running && ch_running && [ "$(live_holders)" = 0 ] && [ ! -f "$DIR/auto" ]; then
      touch "$DIR/manual"
    fi
    touch "$HOLDERS/$holder"
  else
    touch "$DIR/manual"
  fi
  if pg_running && ch_running; then
    print_env
    exit 0
  fi
  [ -n "$holder" ] && [ ! -f "$DIR/manual" ] && touch "$DIR/auto"
  install_missing
  pg_running || pg_start
  ch_running || ch_start
  log "postgresql and clickhouse (2 shards) running on 127.0.0.1 ($((SECONDS - t0)) s)"
  print_env
  ;;
env)
  pg_running && ch_running || die "services are not running: run scripts/services.sh start"
  print_env
  ;;
release)
  [[ "${2:-}" =~ ^[0-9]+$ ]] || die "release needs a pid"
  rm -f "$HOLDERS/$2"
  if [ "$(live_holders)" = 0 ] && [ ! -f "$DIR/manual" ]; then
    pg_stop
    ch_stop
    rm -f "$DIR/auto"
    log "stopped (last holder released)"
  fi
  ;;
stop)
  pg_stop
  ch_stop
  rm -rf "$HOLDERS" "$DIR/manual" "$DIR/auto"
  log "stopped"
  ;;
status)
  if pg_running; then echo "postgresql: running on 127.0.0.1:$(cat "$DIR/pg.port")"; else echo "postgresql: stopped"; fi
  if ch_running; then echo "clickhouse: running on $(cut -d' ' -f1 "$DIR/ch1/ports"),$(cut -d' ' -f1 "$DIR/ch2/ports")"; else echo "clickhouse: stopped"; fi
  ;;
*)
  echo "usage: scripts/services.sh start|stop|env|status" >&2
  exit 2
  ;;
esac
