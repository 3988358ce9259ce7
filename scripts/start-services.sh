#!/usr/bin/env bash
# Starts throw-away PostgreSQL and Redis instances for the test suites and writes an env file to source.
#
#   scripts/start-services.sh [DIR]    DIR defaults to build/services
#   . DIR/env                          exports PIERRE_TEST_POSTGRES_URL and PIERRE_TEST_REDIS_URL
#   scripts/stop-services.sh [DIR]
#
# PostgreSQL: a fresh cluster (initdb) in DIR/pg, listening on a free port on 127.0.0.1 only, password login over
# TCP with a generated password, unix socket inside DIR/pg, database "pierre_test", owner "pierre". PostgreSQL
# refuses to run as root, so as root the cluster runs as the `postgres` system user. Redis: a daemonized instance on
# a free port on 127.0.0.1, no persistence, files in DIR/redis.
#
# Idempotent: services that are already up are reused and the env file rewritten.
# Environment: PG_BIN (default: /usr/lib/postgresql/15/bin, else the newest installed), PIERRE_SERVICES (default
# "postgres redis"; list the ones to start).
set -euo pipefail

die() { echo "start-services: error: $*" >&2; exit 1; }
log() { echo "start-services: $*" >&2; }

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
dir=${1:-$root/build/services}
mkdir -p "$dir" || die "cannot create $dir"
dir=$(cd "$dir" && pwd)
services=${PIERRE_SERVICES:-postgres redis}
want() { [[ " $services " == *" $1 "* ]]; }

# A TCP port on 127.0.0.1 with nothing listening. The server binding it can still race with another process,
# so callers retry on failure.
free_port() {
  local port i
  for i in $(seq 1 50); do
    port=$((20000 + RANDOM % 40000))
    if command -v ss >/dev/null 2>&1; then
      [[ -z "$(ss -Htln "sport = :$port" 2>/dev/null)" ]] && { echo "$port"; return 0; }
    elif ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      echo "$port"; return 0
    fi
  done
  die "no free TCP port found"
}

# ---- PostgreSQL -----------------------------------------------------------------------------------------------
pg_url=""
start_postgres() {
  local pg_bin=${PG_BIN:-}
  if [[ -z "$pg_bin" ]]; then
    if [[ -x /usr/lib/postgresql/15/bin/initdb ]]; then
      pg_bin=/usr/lib/postgresql/15/bin
    else
      pg_bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
    fi
  fi
  [[ -n "$pg_bin" && -x "$pg_bin/initdb" && -x "$pg_bin/pg_ctl" ]] ||
    die "PostgreSQL server binaries not found (install postgresql-15, or set PG_BIN to the directory with initdb)"

  local as_pg=()
  if [[ $(id -u) -eq 0 ]]; then
    id -u postgres >/dev/null 2>&1 || die "running as root needs the 'postgres' system user (install postgresql-15)"
    as_pg=(runuser -u postgres --)
  fi

  # The cluster lives in DIR/pg unless the postgres user cannot reach it (a build tree under a private home) or
  # the socket path would exceed the unix limit; then in /tmp, and DIR/pg.path says where.
  local pgroot=$dir/pg
  if [[ -f "$dir/pg.path" ]]; then
    pgroot=$(cat "$dir/pg.path")
  else
    mkdir -p "$pgroot"
    [[ ${#as_pg[@]} -gt 0 ]] && chown postgres: "$pgroot"
    if ! "${as_pg[@]}" test -w "$pgroot" 2>/dev/null || [[ ${#pgroot} -gt 80 ]]; then
      rmdir "$pgroot" 2>/dev/null || true
      pgroot=$(mktemp -d /tmp/pierre-pg.XXXXXX)
      log "postgres cannot use $dir/pg; using $pgroot"
    fi
    echo "$pgroot" >"$dir/pg.path"
  fi
  local data=$pgroot/data sock=$pgroot/sock

  if [[ -f "$data/postmaster.pid" ]] && "${as_pg[@]}" "$pg_bin/pg_ctl" -D "$data" status >/dev/null 2>&1 &&
     [[ -f "$pgroot/port" && -f "$pgroot/password" ]]; then
    log "postgres already running on port $(cat "$pgroot/port")"
  else
    if [[ ! -f "$data/PG_VERSION" ]]; then
      rm -rf "$data" "$sock"
      mkdir -p "$pgroot" "$sock"
      (umask 077; od -An -tx1 -N16 /dev/urandom | tr -d ' \n' >"$pgroot/password")
      [[ ${#as_pg[@]} -gt 0 ]] && chown -R postgres: "$pgroot"
      "${as_pg[@]}" "$pg_bin/initdb" -D "$data" -U pierre --pwfile="$pgroot/password" --auth-local=trust \
        --auth-host=scram-sha-256 -E UTF8 --locale=C >"$pgroot/initdb.log" 2>&1 ||
        die "initdb failed; see $pgroot/initdb.log"
    fi
    local port started=0 attempt
    for attempt in 1 2 3 4 5; do
      port=$(free_port)
      # Throw-away cluster: durability off for speed; enough connections for parallel test processes.
      local server_options="-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories='$sock'"
      server_options+=" -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200"
      if "${as_pg[@]}" "$pg_bin/pg_ctl" -D "$data" -l "$pgroot/server.log" -w -t 60 -o "$server_options" \
        start >/dev/null 2>&1; then
        started=1
        break
      fi
      log "postgres did not start on port $port (attempt $attempt); retrying"
    done
    [[ $started -eq 1 ]] || die "postgres failed to start; see $pgroot/server.log"
    echo "$port" >"$pgroot/port"
  fi

  local port password
  port=$(cat "$pgroot/port")
  password=$(cat "$pgroot/password")
  local i
  for i in $(seq 1 60); do
    "$pg_bin/pg_isready" -q -h 127.0.0.1 -p "$port" && break
    [[ $i -eq 60 ]] && die "postgres on port $port is not accepting connections; see $pgroot/server.log"
    sleep 0.5
  done
  if [[ -z "$("${as_pg[@]}" "$pg_bin/psql" -h "$sock" -p "$port" -U pierre -d postgres -tAc \
    "SELECT 1 FROM pg_database WHERE datname = 'pierre_test'")" ]]; then
    "${as_pg[@]}" "$pg_bin/createdb" -h "$sock" -p "$port" -U pierre pierre_test || die "createdb pierre_test failed"
  fi
  pg_url="postgresql://pierre:$password@127.0.0.1:$port/pierre_test"
  PGCONNECT_TIMEOUT=5 "$pg_bin/psql" "$pg_url" -tAc "SELECT 1" >/dev/null ||
    die "cannot log in to postgres over TCP on port $port"
  log "postgres ready on 127.0.0.1:$port (data in $data)"
}

# ---- Redis ----------------------------------------------------------------------------------------------------
redis_url=""
start_redis() {
  command -v redis-server >/dev/null 2>&1 || die "redis-server not found (install redis-server)"
  local rroot=$dir/redis
  mkdir -p "$rroot"
  if [[ -f "$rroot/port" ]] &&
     [[ "$(redis-cli -h 127.0.0.1 -p "$(cat "$rroot/port")" ping 2>/dev/null)" == PONG ]]; then
    log "redis already running on port $(cat "$rroot/port")"
  else
    local port started=0 attempt i
    for attempt in 1 2 3 4 5; do
      port=$(free_port)
      rm -f "$rroot/redis.pid"
      redis-server --bind 127.0.0.1 --port "$port" --daemonize yes --dir "$rroot" --pidfile "$rroot/redis.pid" \
        --logfile "$rroot/redis.log" --save '' --appendonly no >/dev/null 2>&1 || true
      for i in $(seq 1 50); do
        if [[ "$(redis-cli -h 127.0.0.1 -p "$port" ping 2>/dev/null)" == PONG ]]; then
          started=1
          break
        fi
        sleep 0.1
      done
      [[ $started -eq 1 ]] && break
      log "redis did not start on port $port (attempt $attempt); retrying"
    done
    [[ $started -eq 1 ]] || die "redis failed to start; see $rroot/redis.log"
    echo "$port" >"$rroot/port"
  fi
  redis_url="redis://127.0.0.1:$(cat "$rroot/port")"
  log "redis ready on 127.0.0.1:$(cat "$rroot/port")"
}

want postgres && start_postgres
want redis && start_redis

env_file=$dir/env
(
  umask 077
  {
    echo "# Written by scripts/start-services.sh; removed by scripts/stop-services.sh."
    [[ -n "$pg_url" ]] && echo "export PIERRE_TEST_POSTGRES_URL='$pg_url'"
    [[ -n "$redis_url" ]] && echo "export PIERRE_TEST_REDIS_URL='$redis_url'"
    true
  } >"$env_file.tmp"
)
mv "$env_file.tmp" "$env_file"
log "wrote $env_file"
