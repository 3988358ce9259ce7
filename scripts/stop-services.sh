#!/usr/bin/env bash
# Stops the services started by scripts/start-services.sh. Safe to run twice or when nothing was started.
#
#   scripts/stop-services.sh [DIR] [--purge]    DIR defaults to build/services; --purge also deletes their files
set -euo pipefail

die() { echo "stop-services: error: $*" >&2; exit 1; }
log() { echo "stop-services: $*" >&2; }

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
dir=$root/build/services
purge=0
for arg in "$@"; do
  case "$arg" in
    --purge) purge=1 ;;
    -*) die "unknown option $arg" ;;
    *) dir=$arg ;;
  esac
done
if [[ ! -d "$dir" ]]; then
  log "nothing to stop ($dir does not exist)"
  exit 0
fi
dir=$(cd "$dir" && pwd)
status=0

# ---- PostgreSQL -----------------------------------------------------------------------------------------------
pgroot=$dir/pg
[[ -f "$dir/pg.path" ]] && pgroot=$(cat "$dir/pg.path")
data=$pgroot/data
if [[ -f "$data/postmaster.pid" ]]; then
  pg_bin=${PG_BIN:-}
  if [[ -z "$pg_bin" ]]; then
    version=$(cat "$data/PG_VERSION" 2>/dev/null || echo 15)
    pg_bin=/usr/lib/postgresql/$version/bin
  fi
  as_pg=()
  [[ $(id -u) -eq 0 ]] && as_pg=(runuser -u postgres --)
  if "${as_pg[@]}" "$pg_bin/pg_ctl" -D "$data" status >/dev/null 2>&1; then
    if "${as_pg[@]}" "$pg_bin/pg_ctl" -D "$data" stop -m fast -w -t 60 >/dev/null 2>&1; then
      log "postgres stopped"
    else
      echo "stop-services: error: postgres in $data did not stop; see $pgroot/server.log" >&2
      status=1
    fi
  else
    log "postgres not running"
  fi
else
  log "postgres not running"
fi

# ---- Redis ----------------------------------------------------------------------------------------------------
rroot=$dir/redis
if [[ -f "$rroot/redis.pid" ]]; then
  pid=$(cat "$rroot/redis.pid")
  # Only the process recorded in our pid file, and only if it is a redis-server.
  if [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null && grep -q redis "/proc/$pid/comm" 2>/dev/null; then
    port=$(cat "$rroot/port" 2>/dev/null || true)
    if [[ -n "$port" ]]; then
      redis-cli -h 127.0.0.1 -p "$port" shutdown nosave >/dev/null 2>&1 || true
    fi
    for _ in $(seq 1 50); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    if kill -0 "$pid" 2>/dev/null; then
      kill "$pid" 2>/dev/null || true
      sleep 0.5
    fi
    if kill -0 "$pid" 2>/dev/null; then
      echo "stop-services: error: redis (pid $pid) did not stop" >&2
      status=1
    else
      log "redis stopped"
    fi
  else
    log "redis not running"
  fi
  rm -f "$rroot/redis.pid"
else
  log "redis not running"
fi

rm -f "$dir/env"
if [[ $purge -eq 1 && $status -eq 0 ]]; then
  [[ "$pgroot" != "$dir/pg" ]] && rm -rf "$pgroot"
  rm -rf "$dir"
  log "removed $dir"
fi
exit $status
