#!/usr/bin/env bash
# Relay overhead benchmark (load harness, not a test).
#
#   scripts/bench-relay.sh            # DURATION=10s per run by default
#
# Measures with wrk, in one run and on loopback, eth_blockNumber over HTTP POST against:
#   direct   the upstream itself
#   nginx    nginx as a plain reverse proxy (keep-alive upstream) in front of the upstream
#   disjoint a Disjoint gateway -> libp2p relay stream -> serving node -> the upstream
# for two upstreams: "static" (nginx answering a fixed JSON-RPC body: the fastest possible chain
# node) and "anvil" (a real Ethereum dev node from the npm fixture). Prints a markdown table of
# requests/s and p50/p99 latency at 1, 8, 32 and 128 connections (CONNS), then the throughput
# summary: each path's peak requests/s over those connection counts and the disjoint path's peak as
# a share of nginx's peak. At 8 connections or fewer every path is bound by its round-trip latency
# (8 requests in flight: rate = 8 / latency), not by CPU; the peak is the throughput.
#
#   NODE_FLAGS=--no-receipts CPU="static anvil" scripts/bench-relay.sh
#   IO_TRANSPORT=io_uring scripts/bench-relay.sh    # the nodes' Netty I/O: auto (default), io_uring, epoll, nio
#   COMPARE_IO="epoll io_uring" CPU=static SYSCALLS=1 scripts/bench-relay.sh
#       # (an entry may carry JVM options for its pair: "epoll epoll@-XX:+UseSerialGC")
#       # a gateway + node pair per transport side by side, CPU runs in turns (ROUNDS=3), with
#       # the nginx reference of each round; the main table is skipped
#
# CPU=... adds, per upstream, one wrk run at 8 connections (CPU_CONNS) through the gateway and prints the CPU
# time per relayed request of each thread group of both JVMs (from /proc/PID/task/*/stat) and of
# the whole machine (from /proc/stat: wrk, nginx, the upstream and kernel threads too); with
# JFR=DIR it also records both JVMs during that run (JFR_SETTINGS=a .jfc, e.g. one with
# jdk.CPUTimeSample enabled, made with `jfr configure`); with SYSCALLS=1 it also counts each JVM's
# system calls per request (perf stat on the raw_syscalls:sys_enter tracepoint).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DURATION="${DURATION:-10s}"
NODE_FLAGS="${NODE_FLAGS:-}"   # extra flags for both disjoint nodes, e.g. NODE_FLAGS=--no-receipts
ONLY="${ONLY:-}"               # run only the paths whose label contains this, e.g. ONLY=disjoint
CONNS="${CONNS:-1 8 32 128}"   # connection counts to measure
WARMUP="${WARMUP:-10s}"        # load on each gateway chain before measuring (JIT warm-up)
HOLD="${HOLD:-}"               # if set, keep everything running after the table (for profiling)
CPU="${CPU:-}"                 # upstreams ("static anvil") to measure CPU per relayed request on, per thread
JFR="${JFR:-}"                 # with CPU: a directory to write JFR recordings of both JVMs into
JFR_SETTINGS="${JFR_SETTINGS:-profile}"  # a .jfc for JFR, e.g. one with jdk.CPUTimeSample enabled
CPU_CONNS="${CPU_CONNS:-8}"     # connections of the CPU runs (1 = no batching across requests: steadier per-request figures)
COMPARE_IO="${COMPARE_IO:-}"   # with CPU: one node pair per listed transport ("epoll io_uring"), measured in turns
ROUNDS="${ROUNDS:-3}"          # with COMPARE_IO: how many turns
SYSCALLS="${SYSCALLS:-}"       # with CPU: also count each JVM's system calls per request (needs perf)
IO_TRANSPORT="${IO_TRANSPORT:-${DISJOINT_IO_TRANSPORT:-auto}}"  # Netty I/O of both nodes: auto, io_uring, epoll, nio
export DISJOINT_IO_TRANSPORT="$IO_TRANSPORT"
command -v wrk >/dev/null || { echo "bench-relay: needs wrk (apt-get install wrk)" >&2; exit 1; }
command -v nginx >/dev/null || { echo "bench-relay: needs nginx (apt-get install nginx-light)" >&2; exit 1; }
"$here/scripts/install-fixtures.sh"
anvil="$(find "$here/testnet/js/node_modules/@foundry-rs" -type f -name anvil -perm -u+x | head -1)"
[ -x "$anvil" ] || { echo "bench-relay: anvil not found under testnet/js/node_modules" >&2; exit 1; }
[ -f "$here/cli/target/disjoint-cli.jar" ] || (cd "$here" && ./mvnw -q -B -DskipTests install)

work="$(mktemp -d)"
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  [ -f "$work/nginx.pid" ] && kill "$(cat "$work/nginx.pid")" 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
wait_http() { # url
  for _ in $(seq 1 100); do
    if curl -s -o /dev/null -X POST -H 'Content-Type: application/json' \
        --data '{"jsonrpc":"2.0","id":1,"method":"eth_blockNumber","params":[]}' "$1"; then return 0; fi
    sleep 0.1
  done
  echo "bench-relay: $1 did not answer" >&2; exit 1
}

anvil_port=$(free_port); static_port=$(free_port); proxy_anvil=$(free_port); proxy_static=$(free_port)
gw_port=$(free_port)
"$anvil" --host 127.0.0.1 --port "$anvil_port" --silent >"$work/anvil.log" 2>&1 & pids+=($!)

# keepalive 1024: nginx keeps an idle upstream connection for every client connection, so at 128
# connections it never opens and closes upstream connections per request (with 32 it did, and lost
# up to half of its rate there).
cat >"$work/nginx.conf" <<NGINX
worker_processes 1;
pid $work/nginx.pid;
error_log $work/nginx-error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  upstream anvil { server 127.0.0.1:$anvil_port; keepalive 1024; }
  upstream static { server 127.0.0.1:$static_port; keepalive 1024; }
  server { listen 127.0.0.1:$static_port; location / { default_type application/json;
    return 200 '{"jsonrpc":"2.0","id":1,"result":"0x2a"}'; } }
  server { listen 127.0.0.1:$proxy_anvil; location / { proxy_pass http://anvil;
    proxy_http_version 1.1; proxy_set_header Connection ""; } }
  server { listen 127.0.0.1:$proxy_static; location / { proxy_pass http://static;
    proxy_http_version 1.1; proxy_set_header Connection ""; } }
}
NGINX
nginx -c "$work/nginx.conf" -p "$work" 

start_pair() { # name transport[@java-opts]: a serving node and a gateway relaying to it; sets gw_port, gw_pid, node_pid
  local name="$1" out="$work/pair-$((++pair_count))" transport="${2%%@*}" opts=""
  [ "$2" = "$transport" ] || opts="${2#*@}"
  gw_port=$(free_port)
  DISJOINT_IO_TRANSPORT="$transport" DISJOINT_JAVA_OPTS="${DISJOINT_JAVA_OPTS:-} $opts" "$here/disjoint" run --data-dir "$out-node" --listen /ip4/127.0.0.1/tcp/0 \
    --serve "eip155:31337=http://127.0.0.1:$anvil_port" --serve "eip155:1=http://127.0.0.1:$static_port" \
    $NODE_FLAGS >"$out-node.out" 2>"$out-node.err" & pids+=($!)
  node_pid=$!
  for _ in $(seq 1 300); do grep -q '^listening ' "$out-node.out" 2>/dev/null && break; sleep 0.1; done
  local node_addr; node_addr="$(grep -m1 '^listening ' "$out-node.out" | cut -d' ' -f2)"
  [ -n "$node_addr" ] || { echo "bench-relay: serving node did not start:" >&2; cat "$out-node.err" >&2; exit 1; }
  DISJOINT_IO_TRANSPORT="$transport" DISJOINT_JAVA_OPTS="${DISJOINT_JAVA_OPTS:-} $opts" "$here/disjoint" run --data-dir "$out-gateway" --listen /ip4/127.0.0.1/tcp/0 \
    --gateway "127.0.0.1:$gw_port" --peer "$node_addr" --route eip155:31337 --route eip155:1 \
    $NODE_FLAGS >"$out-gw.out" 2>"$out-gw.err" & pids+=($!)
  gw_pid=$!
  wait_http "http://127.0.0.1:$gw_port/eip155:31337"
  wait_http "http://127.0.0.1:$gw_port/eip155:1"
  pair_port[$name]=$gw_port; pair_gw[$name]=$gw_pid; pair_node[$name]=$node_pid
  pair_io[$name]="$(grep -m1 -o '([a-z_]*)$' "$out-gw.err" | tr -d '()' || echo '?')"
}
use_pair() { gw_port=${pair_port[$1]}; gw_pid=${pair_gw[$1]}; node_pid=${pair_node[$1]}; }
declare -A pair_port pair_gw pair_node pair_io
pair_count=0
wait_http "http://127.0.0.1:$anvil_port"
wait_http "http://127.0.0.1:$proxy_static"
if [ -n "$COMPARE_IO" ]; then
  for t in $COMPARE_IO; do start_pair "$t" "$t"; done
else
  start_pair main "$IO_TRANSPORT"
fi

run_wrk() { # label conns url
  local out rps p50 p99
  case "$1" in *"$ONLY"*) ;; *) return 0 ;; esac
  wrk -t1 -c"$2" -d"$DURATION" --latency -s "$here/scripts/bench/post.lua" "$3" >"$work/wrk.txt" 2>&1 || true
  out="$(cat "$work/wrk.txt")"
  rps="$(awk '/^Requests\/sec/ {print $2}' <<<"$out")"
  p50="$(awk '$1=="50%" {print $2}' <<<"$out")"
  p99="$(awk '$1=="99%" {print $2}' <<<"$out")"
  local errs; errs="$(awk '/Non-2xx|Socket errors/ {print}' <<<"$out" | tr '\n' ' ')"
  printf '| %s | %s | %s | %s | %s | %s |\n' "$1" "$2" "$rps" "$p50" "$p99" "${errs:-none}"
  printf '%s\t%s\t%s\n' "$1" "$2" "${rps:-0}" >>"$work/rates.tsv"
}
throughput_summary() { # peak req/s of each path over the connection counts, disjoint's share of nginx's
  [ -s "$work/rates.tsv" ] || return 0
  echo
  echo "Throughput (peak req/s over connections $CONNS):"
  echo "| upstream | direct | nginx | disjoint | disjoint / nginx |"
  echo "|---|---|---|---|---|"
  awk -F'\t' '
    { split($1, w, " "); up = w[1]
      if ($1 ~ / direct$/) kind = "direct"; else if ($1 ~ /nginx$/) kind = "nginx"; else kind = "disjoint"
      key = up SUBSEP kind; if ($3 + 0 > peak[key] + 0) { peak[key] = $3; at[key] = $2 } ups[up] = 1 }
    END { for (u in ups) {
      n = peak[u SUBSEP "nginx"]; d = peak[u SUBSEP "disjoint"];
      printf "| %s | %.0f (%s conns) | %.0f (%s conns) | %.0f (%s conns) | %s |\n", u,
        peak[u SUBSEP "direct"], at[u SUBSEP "direct"], n, at[u SUBSEP "nginx"], d, at[u SUBSEP "disjoint"],
        (n > 0 && d > 0) ? sprintf("%.0f%%", 100 * d / n) : "-" } }' "$work/rates.tsv" | sort
}
echo "# bench-relay $(date -u +%Y-%m-%dT%H:%MZ) on $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg), DURATION=$DURATION${NODE_FLAGS:+, NODE_FLAGS=$NODE_FLAGS}, IO_TRANSPORT=${COMPARE_IO:-$IO_TRANSPORT} (${pair_io[*]})"
if [ -z "$COMPARE_IO" ]; then
  echo "| path | connections | req/s | p50 | p99 | errors |"
  echo "|---|---|---|---|---|---|"
fi
warm_up() { # the JVMs of the pair in use, before measuring
  wrk -t1 -c8 -d"$WARMUP" -s "$here/scripts/bench/post.lua" "http://127.0.0.1:$gw_port/eip155:1" >/dev/null 2>&1 || true
  wrk -t1 -c8 -d"$WARMUP" -s "$here/scripts/bench/post.lua" "http://127.0.0.1:$gw_port/eip155:31337" >/dev/null 2>&1 || true
}
if [ -n "$COMPARE_IO" ]; then
  for t in $COMPARE_IO; do use_pair "$t"; warm_up; done
else
  warm_up
fi
for c in $CONNS; do
  [ -z "$COMPARE_IO" ] || break
  run_wrk "static direct" "$c" "http://127.0.0.1:$static_port/"
  run_wrk "static via nginx" "$c" "http://127.0.0.1:$proxy_static/"
  run_wrk "static via disjoint" "$c" "http://127.0.0.1:$gw_port/eip155:1"
  run_wrk "anvil direct" "$c" "http://127.0.0.1:$anvil_port/"
  run_wrk "anvil via nginx" "$c" "http://127.0.0.1:$proxy_anvil/"
  run_wrk "anvil via disjoint" "$c" "http://127.0.0.1:$gw_port/eip155:31337"
done
throughput_summary

# CPU time per relayed request: per-thread CPU (utime + stime from /proc/PID/task/*/stat) of both
# JVMs over one wrk run at 8 connections, divided by the requests of that run. Threads are grouped
# by name with their numbers stripped (p2p-worker-3 -> p2p-worker-N).
thread_ticks() { # pid -> "name ticks kernel-ticks" per thread
  for t in /proc/"$1"/task/*; do
    [ -r "$t/stat" ] || continue
    printf '%s %s\n' "$(tr ' ' '_' <"$t/comm")" "$(sed 's/^.*) //' "$t/stat" | awk '{print $12 + $13, $13}')"
  done
}
machine_ticks() { # busy ticks of the whole machine (user+nice+system+irq+softirq+steal), from /proc/stat
  awk '$1=="cpu" {print $2 + $3 + $4 + $7 + $8 + $9}' /proc/stat
}
cpu_run() { # label url
  local before_gw before_node after_gw after_node before_machine after_machine reqs jhome
  jhome="$("$here/scripts/find-jdk.sh")"
  if [ -n "$JFR" ]; then
    mkdir -p "$JFR"
    for p in "$gw_pid" "$node_pid"; do "$jhome/bin/jcmd" "$p" JFR.start name=bench settings="$JFR_SETTINGS" >/dev/null; done
  fi
  before_gw="$(thread_ticks "$gw_pid")"; before_node="$(thread_ticks "$node_pid")"
  before_machine="$(machine_ticks)"
  local perf_pids=()
  if [ -n "$SYSCALLS" ]; then
    for p in "$gw_pid" "$node_pid"; do
      perf stat -x, -e raw_syscalls:sys_enter,syscalls:sys_enter_io_uring_enter -p "$p" -o "$work/perf-$p.txt" &
      perf_pids+=($!)
    done
  fi
  wrk -t1 -c"$CPU_CONNS" -d"$DURATION" -s "$here/scripts/bench/post.lua" "$2" >"$work/wrk-cpu.txt" 2>&1 || true
  for p in "${perf_pids[@]}"; do kill -INT "$p"; wait "$p" 2>/dev/null || true; done
  after_machine="$(machine_ticks)"
  after_gw="$(thread_ticks "$gw_pid")"; after_node="$(thread_ticks "$node_pid")"
  if [ -n "$JFR" ]; then
    "$jhome/bin/jcmd" "$gw_pid" JFR.stop name=bench filename="$JFR/gateway-$1.jfr" >/dev/null
    "$jhome/bin/jcmd" "$node_pid" JFR.stop name=bench filename="$JFR/node-$1.jfr" >/dev/null
  fi
  reqs="$(awk '/requests in/ {print $1}' "$work/wrk-cpu.txt")"
  echo "## CPU per request, $1 via disjoint, $CPU_CONNS connections: $reqs requests, $(awk '/^Requests\/sec/ {print $2}' "$work/wrk-cpu.txt") req/s, tick $(getconf CLK_TCK)/s"
  echo "| process | thread | us CPU / request | of which in the kernel |"
  echo "|---|---|---|---|"
  python3 - "$reqs" "$(getconf CLK_TCK)" "$before_gw" "$after_gw" "$before_node" "$after_node" \
      "$before_machine" "$after_machine" <<'PY'
import re, sys
reqs, hz = int(sys.argv[1]), int(sys.argv[2])
def parse(text):
    out = {}
    for line in text.splitlines():
        if not line.strip():
            continue
        name, ticks, kernel = line.rsplit(' ', 2)
        total = out.setdefault(re.sub(r'\d+', 'N', name), [0, 0])
        total[0] += int(ticks)
        total[1] += int(kernel)
    return out
def per_request(ticks):
    return ticks / hz * 1e6 / max(1, reqs)
for proc, b, a in (("gateway", sys.argv[3], sys.argv[4]), ("serving node", sys.argv[5], sys.argv[6])):
    before, after = parse(b), parse(a)
    total = kernel_total = 0.0
    rows = []
    for name, (ticks, kernel) in after.items():
        was = before.get(name, [0, 0])
        us, kernel_us = per_request(ticks - was[0]), per_request(kernel - was[1])
        total += us
        kernel_total += kernel_us
        if us >= 0.5:
            rows.append((us, kernel_us, name))
    for us, kernel_us, name in sorted(rows, reverse=True):
        print(f"| {proc} | {name} | {us:.1f} | {kernel_us:.1f} |")
    print(f"| {proc} | **total** | **{total:.1f}** | **{kernel_total:.1f}** |")
# Everything the machine did meanwhile (wrk, nginx, the upstream, kernel threads, and whatever
# else runs there): an upper bound, exact only on an otherwise idle machine.
machine = (int(sys.argv[8]) - int(sys.argv[7])) / hz * 1e6 / max(1, reqs)
print(f"| machine | all processes | {machine:.1f} | |")
PY
  if [ -n "$SYSCALLS" ]; then
    echo "| process | system calls / request | of which io_uring_enter |"
    echo "|---|---|---|"
    for pair in "gateway:$gw_pid" "serving node:$node_pid"; do
      awk -F, -v name="${pair%%:*}" -v reqs="$reqs" '
        $3 == "raw_syscalls:sys_enter" {all = $1}
        $3 == "syscalls:sys_enter_io_uring_enter" {uring = $1}
        END {printf "| %s | %.2f | %.2f |\n", name, all / reqs, uring / reqs}' "$work/perf-${pair##*:}.txt"
    done
  fi
}
cpu_runs() { # [label suffix]: the CPU runs of $CPU on the pair in use
  for u in $CPU; do
    case "$u" in
      static) cpu_run "static$1" "http://127.0.0.1:$gw_port/eip155:1" ;;
      anvil) cpu_run "anvil$1" "http://127.0.0.1:$gw_port/eip155:31337" ;;
      *) echo "bench-relay: CPU takes static and/or anvil, not $u" >&2; exit 1 ;;
    esac
  done
}
if [ -n "$COMPARE_IO" ]; then
  # The pairs run side by side and take turns, so a busy neighbour weighs on each about equally.
  for round in $(seq 1 "$ROUNDS"); do
    echo "# round $round of $ROUNDS, $(date -u +%H:%M:%SZ), load $(cut -d' ' -f1-3 /proc/loadavg)"
    echo "| path | connections | req/s | p50 | p99 | errors |"
    echo "|---|---|---|---|---|---|"
    case " $CPU " in *" static "*) run_wrk "static via nginx" "$CPU_CONNS" "http://127.0.0.1:$proxy_static/" ;; esac
    case " $CPU " in *" anvil "*) run_wrk "anvil via nginx" "$CPU_CONNS" "http://127.0.0.1:$proxy_anvil/" ;; esac
    for t in $COMPARE_IO; do use_pair "$t"; cpu_runs "-$t"; done
  done
else
  cpu_runs ""
fi
if [ -n "$HOLD" ]; then
  echo "holding: gateway http://127.0.0.1:$gw_port/eip155:1 and /eip155:31337; work dir $work; Ctrl-C to stop"
  printf '%s\ngateway_pid=%s\nnode_pid=%s\n' "$gw_port" "$gw_pid" "$node_pid" >"$HOLD"
  wait
fi
