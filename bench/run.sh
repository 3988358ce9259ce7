#!/usr/bin/env bash
# HTTP benchmark: GET /health on pierre-mcp-server vs nginx serving an equivalent static reply, measured in the same
# run with the same wrk parameters, interleaved (nginx, ours, nginx, ours) because the machine is noisy. Also reports
# idle RSS and start-to-first-200. Loopback only; every step is bounded in time.
#
#   bench/run.sh            (make bench builds the release preset first)
#   BENCH_SECONDS=10 BENCH_CONNECTIONS=64 BENCH_ROUNDS=2 bench/run.sh
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
server_bin="$root/build/release/apps/pierre-mcp-server/pierre-mcp-server"
probe_bin="$root/build/release/bench/startup_probe"
seconds="${BENCH_SECONDS:-10}"
connections="${BENCH_CONNECTIONS:-64}"
rounds="${BENCH_ROUNDS:-2}"
threads="$(nproc)"
work="$(mktemp -d /tmp/pierre-bench-XXXXXX)"
results_dir="$root/bench/results"
mkdir -p "$results_dir"

pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  [[ -f "$work/nginx/nginx.pid" ]] && kill "$(cat "$work/nginx/nginx.pid")" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

free_port() {
  # A random high port that nothing is listening on (the servers fail loudly if one is taken meanwhile).
  local port
  while :; do
    port=$((20000 + RANDOM % 30000))
    ss -ltn "sport = :$port" | grep -q LISTEN || { echo "$port"; return; }
  done
}

wait_http() {
  for _ in $(seq 1 200); do
    curl -fsS -o /dev/null "http://127.0.0.1:$1/health" 2>/dev/null && return 0
    sleep 0.05
  done
  echo "bench: nothing answered on port $1" >&2
  return 1
}

# --- start-up time and idle RSS (our server only) ---
probe_port=$(free_port)
startup_line=$("$probe_bin" 10 "$probe_port" -- "$server_bin" --dev --port "$probe_port" --data-dir "$work/probe" \
  --database-url "sqlite:$work/probe/pierre.db" --log-level warn)
startup_ms=$(sed -E 's/.*startup_ms_median=([0-9.]+).*/\1/' <<<"$startup_line")
rss_start_kb=$(sed -E 's/.*rss_kb_after_start=([0-9-]+).*/\1/' <<<"$startup_line")

# --- servers under load ---
nginx_port=$(free_port)
mkdir -p "$work/nginx"
sed -e "s|@PREFIX@|$work/nginx|g" -e "s|@PORT@|$nginx_port|g" -e "s|@WORKERS@|$threads|g" \
  bench/nginx.conf.template > "$work/nginx/nginx.conf"
nginx -c "$work/nginx/nginx.conf" -p "$work/nginx" -e "$work/nginx/error.log" 2>/dev/null || nginx -c "$work/nginx/nginx.conf" -p "$work/nginx"
wait_http "$nginx_port"

ours_port=$(free_port)
HTTP_THREADS="$threads" LOG_LEVEL=warn "$server_bin" --dev --port "$ours_port" --data-dir "$work/ours" \
  --database-url "sqlite:$work/ours/pierre.db" > /dev/null 2> "$work/ours.log" &
ours_pid=$!
pids+=("$ours_pid")
wait_http "$ours_port"
rss_idle_kb=$(awk '/VmRSS/ {print $2}' "/proc/$ours_pid/status")

run_wrk() {  # port → "rps p50_ms p99_ms"
  wrk -t"$threads" -c"$connections" -d"${seconds}s" --latency "http://127.0.0.1:$1/health" > "$work/wrk.out"
  local rps p50 p99
  rps=$(awk '/Requests\/sec/ {print $2}' "$work/wrk.out")
  p50=$(awk '$1=="50%" {print $2}' "$work/wrk.out")
  p99=$(awk '$1=="99%" {print $2}' "$work/wrk.out")
  echo "$rps $(to_ms "$p50") $(to_ms "$p99")"
}
to_ms() {  # wrk prints 1.23ms / 456.78us / 1.02s
  awk -v v="$1" 'BEGIN { n = v + 0; if (v ~ /us$/) n /= 1000; else if (v ~ /ms$/) n = n; else if (v ~ /s$/) n *= 1000; printf "%.3f", n }'
}

# Warm-up, not recorded.
wrk -t"$threads" -c"$connections" -d2s "http://127.0.0.1:$nginx_port/health" > /dev/null
wrk -t"$threads" -c"$connections" -d2s "http://127.0.0.1:$ours_port/health" > /dev/null

nginx_sum=0; ours_sum=0; nginx_p99=0; ours_p99=0; ours_p50=0; nginx_p50=0
for r in $(seq 1 "$rounds"); do
  read -r n_rps n_p50 n_p99 < <(run_wrk "$nginx_port")
  read -r o_rps o_p50 o_p99 < <(run_wrk "$ours_port")
  echo "round $r: nginx ${n_rps} req/s (p99 ${n_p99} ms)   pierre ${o_rps} req/s (p99 ${o_p99} ms)"
  nginx_sum=$(awk -v a="$nginx_sum" -v b="$n_rps" 'BEGIN{print a+b}')
  ours_sum=$(awk -v a="$ours_sum" -v b="$o_rps" 'BEGIN{print a+b}')
  nginx_p99=$(awk -v a="$nginx_p99" -v b="$n_p99" 'BEGIN{print (b>a)?b:a}')
  ours_p99=$(awk -v a="$ours_p99" -v b="$o_p99" 'BEGIN{print (b>a)?b:a}')
  nginx_p50=$n_p50; ours_p50=$o_p50
done
rss_after_kb=$(awk '/VmRSS/ {print $2}' "/proc/$ours_pid/status")

nginx_rps=$(awk -v s="$nginx_sum" -v n="$rounds" 'BEGIN{printf "%.0f", s/n}')
ours_rps=$(awk -v s="$ours_sum" -v n="$rounds" 'BEGIN{printf "%.0f", s/n}')
ratio=$(awk -v a="$ours_rps" -v b="$nginx_rps" 'BEGIN{printf "%.2f", a/b}')
verdict() { awk -v v="$1" -v t="$2" -v dir="$3" 'BEGIN{ ok = (dir==">=") ? (v>=t) : (v<t); print ok ? "PASS" : "MISS" }'; }
rss_idle_mb=$(awk -v k="$rss_idle_kb" 'BEGIN{printf "%.1f", k/1024}')
rss_after_mb=$(awk -v k="$rss_after_kb" 'BEGIN{printf "%.1f", k/1024}')

cat <<REPORT

GET /health — wrk -t$threads -c$connections -d${seconds}s, $rounds interleaved rounds, $(nproc) cores shared by wrk and the server
  nginx (reference)     ${nginx_rps} req/s   p50 ${nginx_p50} ms   p99 ${nginx_p99} ms
  pierre-mcp-server     ${ours_rps} req/s   p50 ${ours_p50} ms   p99 ${ours_p99} ms
  ratio pierre/nginx    ${ratio}      target >= 0.50   $(verdict "$ratio" 0.50 ">=")
  idle RSS              ${rss_idle_mb} MB (after load: ${rss_after_mb} MB)   target < 30 MB   $(verdict "$rss_idle_mb" 30 "<")
  start-to-first-200    ${startup_ms} ms (median of 10; 0.2 ms polling)   target < 100 ms   $(verdict "$startup_ms" 100 "<")
REPORT

cat > "$results_dir/http-health.json" <<JSON
{"benchmark":"http-health","threads":$threads,"connections":$connections,"seconds":$seconds,"rounds":$rounds,
 "nginx_rps":$nginx_rps,"pierre_rps":$ours_rps,"ratio":$ratio,"nginx_p99_ms":$nginx_p99,"pierre_p99_ms":$ours_p99,
 "idle_rss_mb":$rss_idle_mb,"rss_after_load_mb":$rss_after_mb,"startup_ms_median":$startup_ms}
JSON
