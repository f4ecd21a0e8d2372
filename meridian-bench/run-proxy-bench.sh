#!/usr/bin/env bash
# meridian agent (the userspace proxy, sidecar mode) vs HAProxy, on this machine, in one run: three
# BenchBackend servers (HTTP/1.1 and h2c on one port each) and one iperf3 server sit behind both
# proxies, configured alike (round robin, keep-alive to the backends, the same timeouts and thread
# count, no logging) and pinned alike. wrk, h2load and iperf3 measure each proxy in turn; RSS is
# read idle and with many idle keep-alive connections held through it. Prints a Markdown report
# (req/s, p99, Gbit/s, RSS, each with the ratio Meridian / HAProxy, and the proxies' CPU) and
# replaces the "## Proxy: meridian agent vs HAProxy" section of docs/benchmarks.md. The default run
# takes about 10 minutes after the build. It prints figures; it never passes or fails on speed
# (exit 0 = it measured, 1 = it could not, 2 = bad arguments).
#
#   meridian-bench/run-proxy-bench.sh                      # full run, defaults below
#   meridian-bench/run-proxy-bench.sh --quick --docs -     # smoke run (~2 minutes), no docs
#
# Options (all optional): --duration 10 (s per measured run), --warmup 5 (s of each kind of load
# per proxy first, discarded), --rounds 3 (each round measures both proxies on every row; which
# goes first alternates), --idle-conns 10000 (keep-alive connections held open for the memory
# row), --rows LIST (comma-separated, default all: h1-tiny-16,h1-tiny-64,h1-16k-16,h1-16k-64,
# h2-tiny,tcp,idle), --proxies haproxy,meridian (default both), --quick (1 round, 3 s runs and
# warm-ups, 2,000 idle connections; explicit options win), --cpus PROXY:CLIENT (taskset lists;
# default 0:1: each proxy on CPU 0 with one thread per proxy CPU; load generators, backends,
# iperf3 and the registry on CPU 1; "none": no pinning, one proxy thread per CPU), --quiet-wait 0
# (s: before the run and before each measured run, wait up to this long for other processes to go
# quiet), --meridian-jvm-arg OPT (repeatable), --work-dir DIR (kept; default a temp dir,
# deleted), --docs FILE|- (default this repository's docs/benchmarks.md; - prints only), --build
# (rebuild even if the jars look current), --report-only (with --work-dir of an earlier run:
# render its report and docs section again, measure nothing).
#
# Needs haproxy, wrk, h2load and iperf3 (apt-get install haproxy wrk nghttp2-client iperf3) and
# curl. Traffic goes to 127.0.0.1 only. Every process it starts is stopped, and the temp dir
# deleted, at the end, on failure and on Ctrl-C.
set -euo pipefail
export LC_ALL=C
script=$0
# the command to reproduce, as given, less --work-dir and --docs (where files go, not what is measured)
command=meridian-bench/run-proxy-bench.sh
skip=0
for arg in "$@"; do
  if [ "$skip" = 1 ]; then skip=0; continue; fi
  if [ "$arg" = --work-dir ] || [ "$arg" = --docs ]; then skip=1; continue; fi
  if [ "$arg" = --report-only ]; then continue; fi
  command="$command $arg"
done
caller=$PWD
root=$(cd "$(dirname "$0")/.." && pwd)
usage() { sed -n '2,/^set -euo/p' "$script" | sed '$d; s/^# \{0,1\}//' >&2; exit 2; }
say() { echo "run-proxy-bench: $*" >&2; }
die() { say "$*"; exit 1; }
calc() { awk "BEGIN{printf \"$1\", $2}"; }

all_rows=h1-tiny-16,h1-tiny-64,h1-16k-16,h1-16k-64,h2-tiny,tcp,idle
duration="" warmup="" rounds="" idle_conns="" rows=$all_rows proxies=haproxy,meridian cpus=0:1
quiet_wait=0 idle_capped_from="" fd_limit="" work_dir="" docs=$root/docs/benchmarks.md build=0 jvm_args=() report_only=0 quick=0
while [ $# -gt 0 ]; do
  case $1 in
    --build) build=1; shift; continue ;;
    --quick) quick=1; shift; continue ;;
    --report-only) report_only=1; shift; continue ;;
    -h | --help) usage ;;
    --duration | --warmup | --rounds | --idle-conns | --rows | --proxies | --cpus | --quiet-wait | \
      --meridian-jvm-arg | --work-dir | --docs)
      [ $# -ge 2 ] || { say "$1 needs a value"; usage; } ;;
    *) say "unknown option $1"; usage ;;
  esac
  case $1 in
    --duration) duration=$2 ;;
    --warmup) warmup=$2 ;;
    --rounds) rounds=$2 ;;
    --idle-conns) idle_conns=$2 ;;
    --rows) rows=$2 ;;
    --proxies) proxies=$2 ;;
    --cpus) cpus=$2 ;;
    --quiet-wait) quiet_wait=$2 ;;
    --meridian-jvm-arg) jvm_args+=("$2") ;;
    --work-dir) case $2 in /*) work_dir=$2 ;; *) work_dir=$caller/$2 ;; esac ;;
    --docs) case $2 in - | /*) docs=$2 ;; *) docs=$caller/$2 ;; esac ;;
  esac
  shift 2
done
if [ "$quick" = 1 ]; then
  : "${duration:=3}" "${warmup:=3}" "${rounds:=1}" "${idle_conns:=2000}"
else
  : "${duration:=10}" "${warmup:=5}" "${rounds:=3}" "${idle_conns:=10000}"
fi
for n in duration warmup rounds idle_conns quiet_wait; do
  [[ ${!n} =~ ^[0-9]+$ ]] || { say "--${n//_/-} must be a whole number, got '${!n}'"; usage; }
done
[ "$report_only" = 0 ] || [ -n "$work_dir" ] || { say "--report-only needs the --work-dir of a run"; usage; }
[ "$duration" -ge 2 ] && [ "$rounds" -ge 1 ] && [ "$idle_conns" -ge 1 ] ||
  { say "--duration must be >= 2, --rounds and --idle-conns >= 1"; usage; }
IFS=, read -ra row_list <<<"$rows"
for r in "${row_list[@]}"; do
  [[ ,$all_rows, == *,$r,* ]] || { say "--rows: unknown row '$r' (known: $all_rows)"; usage; }
done
IFS=, read -ra proxy_list <<<"$proxies"
for p in "${proxy_list[@]}"; do
  [ "$p" = haproxy ] || [ "$p" = meridian ] || { say "--proxies: unknown proxy '$p' (haproxy, meridian)"; usage; }
done
[ "${#proxy_list[@]}" -ge 1 ] || { say "--proxies: name at least one"; usage; }
has_row() { [[ ,$rows, == *,$1,* ]]; }
has_proxy() { [[ ,$proxies, == *,$1,* ]]; }

# ---- pinning -----------------------------------------------------------------------------------
# Prints the CPUs of a taskset list (0, 0-1, 0,2-3), one per line; fails on a bad list.
cpu_expand() {
  local part parts i
  IFS=, read -ra parts <<<"$1"
  for part in "${parts[@]}"; do
    if [[ $part =~ ^([0-9]+)-([0-9]+)$ ]]; then
      for ((i = BASH_REMATCH[1]; i <= BASH_REMATCH[2]; i++)); do echo "$i"; done
    elif [[ $part =~ ^[0-9]+$ ]]; then
      echo "$part"
    else
      return 1
    fi
  done
}
if [ "$cpus" = none ]; then
  proxy_pin=() client_pin=() proxy_cpus=$(nproc)
  client_cpu_list=$(seq 0 $(($(nproc) - 1)))
  pinning="No pinning: proxies, load generators and backends share all $(nproc) CPUs"
else
  [[ $cpus == *:* ]] || { say "--cpus must be PROXY:CLIENT (e.g. 0:1) or none, got '$cpus'"; usage; }
  proxy_list_cpus=${cpus%%:*} client_list_cpus=${cpus#*:}
  cpu_expand "$proxy_list_cpus" >/dev/null && cpu_expand "$client_list_cpus" >/dev/null ||
    { say "--cpus: bad CPU list in '$cpus'"; usage; }
  proxy_cpus=$(cpu_expand "$proxy_list_cpus" | wc -l) client_cpu_list=$(cpu_expand "$client_list_cpus")
  command -v taskset >/dev/null || die "taskset is not installed (apt-get install util-linux), or use --cpus none"
  taskset -c "$proxy_list_cpus" true 2>/dev/null && taskset -c "$client_list_cpus" true 2>/dev/null ||
    die "--cpus $cpus: this machine has CPUs 0-$(($(nproc) - 1))"
  proxy_pin=(taskset -c "$proxy_list_cpus") client_pin=(taskset -c "$client_list_cpus")
  pinning="Each proxy on CPU(s) $proxy_list_cpus (taskset; $proxy_cpus thread(s) each); wrk, h2load, iperf3 (client and server), the three backends, the idle-connection holder and the registry on CPU(s) $client_list_cpus"
fi
threads=$proxy_cpus

# ---- tools, limits and build -------------------------------------------------------------------
cd "$root"
# shellcheck source=/dev/null
. .ci/find-java
meridian_find_java || exit 1
export JAVA_HOME=$MERIDIAN_JAVA_HOME
jar=$root/meridian-cli/target/meridian.jar
classes=$root/meridian-bench/target/classes
classpath_file=$root/meridian-bench/target/proxy-bench.classpath
stamp=$classes/io/meridian/bench/proxy/BenchBackend.class
if [ "$report_only" = 0 ]; then
  for tool in haproxy wrk h2load iperf3 curl; do
    command -v "$tool" >/dev/null || die "$tool is not installed; apt-get install haproxy wrk nghttp2-client iperf3 curl"
  done
  # Each proxy holds the idle connections (and some to the backends); the holder holds them too.
  need=$((idle_conns + 2000))
  if [ "$(ulimit -n)" != unlimited ] && [ "$(ulimit -n)" -lt 65536 ]; then
    hard=$(ulimit -Hn)
    if [ "$hard" = unlimited ] || [ "$hard" -ge 65536 ]; then ulimit -n 65536; else ulimit -n "$hard"; fi
  fi
  fd_limit=$(ulimit -n); [ "$fd_limit" != unlimited ] || fd_limit=1048576
  # HAProxy reserves two descriptors per connection (client and server) and will not start with
  # fewer: under a hard limit of 20,000 it holds at most about 9,850 connections. Both proxies
  # then get that many idle connections, and the report says so.
  haproxy_max=$(( (fd_limit - 100) / 2 - 100 ))
  if [ "$idle_conns" -gt "$haproxy_max" ]; then
    say "ulimit -n is at most $fd_limit here: HAProxy can hold $haproxy_max connections; --idle-conns $idle_conns lowered to that"
    idle_capped_from=$idle_conns
    idle_conns=$haproxy_max
  fi
  [ "$(ulimit -n)" = unlimited ] || [ "$(ulimit -n)" -ge "$need" ] ||
    die "ulimit -n is $(ulimit -n) (hard $(ulimit -Hn)); --idle-conns $idle_conns needs $need: raise the hard limit or lower --idle-conns"
  if [ "$build" = 1 ] || [ ! -f "$jar" ] || [ ! -f "$stamp" ] || [ ! -f "$classpath_file" ] ||
    [ -n "$(find pom.xml meridian-*/pom.xml meridian-*/src/main -newer "$jar" -type f -print -quit 2>/dev/null)" ] ||
    [ -n "$(find meridian-bench/src/main -newer "$stamp" -type f -print -quit 2>/dev/null)" ]; then
    say "building meridian.jar and meridian-bench with $JAVA_HOME"
    ./mvnw -B -q -DskipTests -DskipITs -pl meridian-cli,meridian-bench -am install >&2 ||
      die "the build failed (output above)"
    ./mvnw -B -q -pl meridian-bench dependency:build-classpath -Dmdep.outputFile="$classpath_file" >/dev/null ||
      die "could not list meridian-bench's classpath"
    touch "$stamp"
  fi
fi
java=("$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED)
bench_cp="$classes:$(cat "$classpath_file" 2>/dev/null || true)"

# ---- processes and cleanup ---------------------------------------------------------------------
if [ -n "$work_dir" ]; then
  mkdir -p "$work_dir" && work=$(cd "$work_dir" && pwd) keep=1
else
  work=$(mktemp -d "${TMPDIR:-/tmp}/meridian-proxy-bench.XXXXXX") keep=0
fi
pids=()      # long-lived children, stopped at the end
load_pid=""  # the load generator or idle-connection holder running now, if any
stop_pid() { # TERM, up to 10 s, then KILL
  local pid=$1 i
  kill -0 "$pid" 2>/dev/null || return 0
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < 100; i++)); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.1; done
  kill -KILL "$pid" 2>/dev/null || true
}
cleanup() {
  local rc=$? pid
  trap - EXIT INT TERM
  exec 7>&- 2>/dev/null || true
  [ -z "$load_pid" ] || stop_pid "$load_pid"
  for pid in "${pids[@]}"; do stop_pid "$pid"; done
  if [ "$keep" = 1 ]; then say "kept $work"; else rm -rf "$work"; fi
  exit "$rc"
}
trap cleanup EXIT
trap 'say interrupted; exit 130' INT
trap 'exit 143' TERM

# Waits (at most $3 s) until file $1 has a line matching $2 while process $4 lives; prints the line.
wait_line() {
  local file=$1 re=$2 deadline=$((SECONDS + $3)) pid=$4 line
  while [ $SECONDS -lt $deadline ]; do
    line=$(grep -m1 -E "$re" "$file" 2>/dev/null || true)
    if [ -n "$line" ]; then echo "$line"; return 0; fi
    kill -0 "$pid" 2>/dev/null || return 1
    sleep 0.2
  done
  return 1
}
# A free local TCP port, tried at random, not one handed out before (in $work/ports).
free_port() {
  local p hex i
  for ((i = 0; i < 100; i++)); do
    p=$((20000 + RANDOM % 12000)) hex=$(printf '%04X' "$p")
    grep -qx "$p" "$work/ports" 2>/dev/null && continue
    if ! awk 'FNR > 1 { print $2 }' /proc/net/tcp /proc/net/tcp6 2>/dev/null | grep -qi ":$hex\$"; then
      echo "$p" >>"$work/ports"
      echo "$p"
      return 0
    fi
  done
  return 1
}
# HTTP status of GET $1 (extra curl options after it); 000 when nothing answered.
http_status() { curl -s -o /dev/null -m 2 -w '%{http_code}' "${@:2}" "$1" 2>/dev/null || true; }
# Waits (at most $2 s) until GET $1 (curl options after) answers 200.
wait_http() {
  local url=$1 deadline=$((SECONDS + $2))
  until [ "$(http_status "$url" "${@:3}")" = 200 ]; do
    [ $SECONDS -lt $deadline ] || return 1
    sleep 0.3
  done
}
rss_kib() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status" 2>/dev/null || echo 0; }
# Established TCP connections whose local port is $1 (the accepting side of a listener)
established() {
  awk -v p=":$(printf '%04X' "$1")" 'FNR > 1 && $4 == "01" && substr($2, length($2) - 4) == p { n++ }
    END { print n + 0 }' /proc/net/tcp /proc/net/tcp6 2>/dev/null
}

# ---- measuring (one function, so that --report-only can skip it) -------------------------------
measure() {
# ---- machine quiet? ----------------------------------------------------------------------------
machine_busy() { awk '/^cpu /{t=0; for(i=2;i<=9;i++) t+=$i; print t-$5-$6, t; exit}' /proc/stat; }
busy_cores() {
  local b0 t0 b1 t1
  read -r b0 t0 < <(machine_busy); sleep "$1"; read -r b1 t1 < <(machine_busy)
  awk -v b=$((b1 - b0)) -v t=$((t1 - t0)) -v n="$(nproc)" 'BEGIN{printf "%.2f", (t > 0 ? b / t * n : 0)}'
}
wait_quiet() {
  local busy
  busy=$(busy_cores 2)
  [ "$quiet_wait" -gt 0 ] || { echo "$busy"; return 0; }
  local deadline=$((SECONDS + quiet_wait))
  while awk -v b="$busy" 'BEGIN{exit !(b > 0.15)}' && [ $SECONDS -lt $deadline ]; do
    say "machine busy ($busy cores in other processes); waiting up to $((deadline - SECONDS)) s more"
    sleep 10
    busy=$(busy_cores 3)
  done
  echo "$busy"
}
before=$(wait_quiet)
say "other processes kept $before of $(nproc) cores busy before the run"
say "work dir $work"
mkdir -p "$work/out" "$work/registry"

# ---- 1. backends ---------------------------------------------------------------------------------
backend_ports=()
for i in 1 2 3; do
  "${client_pin[@]}" "${java[@]}" -cp "$bench_cp" io.meridian.bench.proxy.BenchBackend --port 0 --threads 1 \
    >"$work/backend$i.out" 2>"$work/backend$i.err" &
  pids+=($!)
  line=$(wait_line "$work/backend$i.out" '^listening on 127\.0\.0\.1:[0-9]+' 60 $!) ||
    die "backend $i did not start (see $work/backend$i.err): $(tail -n 3 "$work/backend$i.err")"
  [[ $line =~ :([0-9]+) ]] && backend_ports+=("${BASH_REMATCH[1]}")
  wait_http "http://127.0.0.1:${backend_ports[-1]}/tiny" 20 || die "backend $i does not answer"
  wait_http "http://127.0.0.1:${backend_ports[-1]}/tiny" 20 --http2-prior-knowledge ||
    die "backend $i does not answer h2c"
done
iperf_port=$(free_port) || die "no free port for iperf3"
"${client_pin[@]}" iperf3 -s -p "$iperf_port" -B 127.0.0.1 >"$work/iperf3-server.log" 2>&1 &
pids+=($!) iperf_pid=$!
say "backends on 127.0.0.1:${backend_ports[*]} (HTTP/1.1 + h2c), iperf3 server on 127.0.0.1:$iperf_port"

# ---- 2. HAProxy --------------------------------------------------------------------------------
declare -gA port pid
meridian_modes=""
if has_proxy haproxy; then
  for k in h1 h2 tcp; do port[haproxy-$k]=$(free_port) || die "no free port for haproxy"; done
  servers() { # $1 = extra server options
    local i
    for i in 0 1 2; do echo "    server b$((i + 1)) 127.0.0.1:${backend_ports[$i]}$1"; done
  }
  cat >"$work/haproxy.cfg" <<EOF
# As close to meridian agent as HAProxy allows: round robin over the same three backends with
# keep-alive (idle connections shared by all clients: http-reuse always), h2c to them for h2c
# clients, a plain TCP relay to iperf3, the same timeouts (connect 1 s, 3 attempts, headers 10 s,
# response 15 s, idle keep-alive 60 s, idle TCP 1 h) and one thread per proxy CPU. No logging.
global
    nbthread $threads
    maxconn $((idle_conns + 100))
defaults
    mode http
    maxconn $((idle_conns + 100))
    option http-keep-alive
    http-reuse always
    retries 2
    option redispatch
    timeout connect 1s
    timeout http-request 10s
    timeout http-keep-alive 60s
    timeout client 60s
    timeout server 15s
    timeout tunnel 1h
frontend h1
    bind 127.0.0.1:${port[haproxy-h1]}
    default_backend bench
frontend h2
    bind 127.0.0.1:${port[haproxy-h2]} proto h2
    default_backend bench_h2
frontend tcp
    mode tcp
    timeout client 1h
    bind 127.0.0.1:${port[haproxy-tcp]}
    default_backend iperf
backend bench
    balance roundrobin
$(servers "")
backend bench_h2
    balance roundrobin
$(servers " proto h2")
backend iperf
    mode tcp
    timeout server 1h
    server i1 127.0.0.1:$iperf_port
EOF
  haproxy -c -q -f "$work/haproxy.cfg" >"$work/haproxy-check.log" 2>&1 ||
    die "haproxy rejects $work/haproxy.cfg: $(tail -n 5 "$work/haproxy-check.log")"
  "${proxy_pin[@]}" haproxy -db -f "$work/haproxy.cfg" >"$work/haproxy.log" 2>&1 &
  pids+=($!) pid[haproxy]=$!
  wait_http "http://127.0.0.1:${port[haproxy-h1]}/tiny" 30 ||
    die "HAProxy does not answer on 127.0.0.1:${port[haproxy-h1]}: $(tail -n 5 "$work/haproxy.log")"
  wait_http "http://127.0.0.1:${port[haproxy-h2]}/tiny" 30 --http2-prior-knowledge ||
    die "HAProxy does not answer h2c on 127.0.0.1:${port[haproxy-h2]}: $(tail -n 5 "$work/haproxy.log")"
  say "HAProxy (pid ${pid[haproxy]}, nbthread $threads) on 127.0.0.1: HTTP/1.1 ${port[haproxy-h1]}, h2c ${port[haproxy-h2]}, TCP ${port[haproxy-tcp]}"
fi

# ---- 3. registry and meridian agent ------------------------------------------------------------
if has_proxy meridian; then
  "${java[@]}" -jar "$jar" agent --help >"$work/agent-help.txt" 2>&1 ||
    die "this meridian.jar has no 'agent' command: $(head -n 3 "$work/agent-help.txt")"
  "${client_pin[@]}" "${java[@]}" -jar "$jar" dev --port 0 --dns-port -1 --data-dir "$work/registry" \
    >"$work/registry.out" 2>"$work/registry.err" &
  pids+=($!)
  line=$(wait_line "$work/registry.out" '^meridian: registry listening on ' 60 $!) ||
    die "the registry did not start (see $work/registry.err): $(tail -n 3 "$work/registry.err")"
  registry=${line#meridian: registry listening on }
  cat >"$work/services.yaml" <<'EOF'
apiVersion: v1
kind: Service
metadata:
  name: bench
  namespace: default
spec:
  selector:
    app: bench
  ports:
  - name: http
    port: 80
    targetPort: http
    appProtocol: http
---
apiVersion: v1
kind: Service
metadata:
  name: bench-h2
  namespace: default
spec:
  selector:
    app: bench
  ports:
  - name: http
    port: 80
    targetPort: http
    appProtocol: h2c
---
apiVersion: v1
kind: Service
metadata:
  name: bench-tcp
  namespace: default
spec:
  selector:
    app: bench-tcp
  ports:
  - name: tcp
    port: 5201
    targetPort: tcp
    appProtocol: tcp
EOF
  cli() { "${client_pin[@]}" "${java[@]}" -jar "$jar" "$@" --registry "$registry"; }
  cli apply -f "$work/services.yaml" >"$work/apply.out" 2>&1 || die "apply failed: $(tail -n 5 "$work/apply.out")"
  # one instance per backend, labelled app=bench with port http: bench and bench-h2 select them all
  for p in "${backend_ports[@]}"; do
    cli register bench "127.0.0.1:$p" >>"$work/apply.out" 2>&1 || die "register failed: $(tail -n 5 "$work/apply.out")"
  done
  cli register bench-tcp "127.0.0.1:$iperf_port" --port-name tcp >>"$work/apply.out" 2>&1 ||
    die "register failed: $(tail -n 5 "$work/apply.out")"
  for k in h1 h2 tcp; do port[meridian-$k]=$(free_port) || die "no free port for meridian"; done
  agent_args=(agent --registry "$registry" --no-cluster-ips --threads "$threads"
    --upstream "default/bench:http=127.0.0.1:${port[meridian-h1]}"
    --upstream "default/bench-h2:http=127.0.0.1:${port[meridian-h2]}"
    --upstream "default/bench-tcp=127.0.0.1:${port[meridian-tcp]}")
  # an admin port, where this build has one: any free port
  ! grep -q -- '--admin-port' "$work/agent-help.txt" || agent_args+=(--admin-port 0)
  "${proxy_pin[@]}" "${java[@]}" "${jvm_args[@]}" -jar "$jar" "${agent_args[@]}" \
    >"$work/agent.out" 2>"$work/agent.err" &
  pids+=($!) pid[meridian]=$!
  wait_http "http://127.0.0.1:${port[meridian-h1]}/tiny" 60 ||
    die "meridian agent does not answer on 127.0.0.1:${port[meridian-h1]} (see $work/agent.err): $(tail -n 5 "$work/agent.err")"
  wait_http "http://127.0.0.1:${port[meridian-h2]}/tiny" 30 --http2-prior-knowledge ||
    say "meridian agent does not answer h2c on 127.0.0.1:${port[meridian-h2]}: its h2 row will fail"
  # How the agent serves each port, from its log ("listening on TCP ADDR sidecar -> SVC MODE"): it
  # may open a port as a TCP relay before the service's appProtocol arrives, so wait for http.
  agent_mode() {
    grep -E "listening on TCP 127\.0\.0\.1:$1 " "$work/agent.err" 2>/dev/null | awk 'END { print $NF }'
  }
  deadline=$((SECONDS + 30))
  while [ "$(agent_mode "${port[meridian-h1]}")" != http ] && grep -q 'listening on TCP' "$work/agent.err" &&
    [ $SECONDS -lt $deadline ]; do sleep 0.3; done
  meridian_modes="HTTP/1.1 port: $(agent_mode "${port[meridian-h1]}"), h2c port: $(agent_mode "${port[meridian-h2]}"), TCP port: $(agent_mode "${port[meridian-tcp]}")"
  say "meridian agent serves its $meridian_modes"
  say "meridian agent (pid ${pid[meridian]}, --threads $threads) on 127.0.0.1: HTTP/1.1 ${port[meridian-h1]}, h2c ${port[meridian-h2]}, TCP ${port[meridian-tcp]}; registry $registry"
fi

# ---- 4. runs -----------------------------------------------------------------------------------
hz=$(getconf CLK_TCK)
# "user system" ticks of process $1, all its threads; "- -" once it has exited
proc_user_sys() {
  local line f
  if read -r line 2>/dev/null <"/proc/$1/stat"; then
    read -ra f <<<"${line##*) }"
    echo "${f[11]} ${f[12]}"
  else
    echo "- -"
  fi
}
# busy and total jiffies of the client CPUs
client_busy() {
  local want
  want=$(printf 'cpu%s ' $client_cpu_list)
  awk -v want=" $want" '$1 ~ /^cpu[0-9]+$/ && index(want, " " $1 " ") {
      t = 0; for (i = 2; i <= 9; i++) t += $i; b += t - $5 - $6; a += t }
    END { print b, a }' /proc/stat
}
# "tid ticks comm" for every thread of $1
thread_ticks() {
  local t line comm f
  for t in /proc/"$1"/task/*; do
    read -r line 2>/dev/null <"$t/stat" || continue
    comm=${line#*(}
    comm=${comm%)*}
    read -ra f <<<"${line##*) }"
    echo "${t##*/} $((f[11] + f[12])) ${comm// /_}"
  done
}
sample() { echo "$EPOCHREALTIME $(proc_user_sys "$1") $(client_busy)"; }
sleep_until() { local d; d=$(calc '%.3f' "$2 + $1 - ${EPOCHREALTIME}"); awk -v d="$d" 'BEGIN{exit !(d > 0)}' && sleep "$d" || true; }
ms() { # wrk/h2load durations (850.00us, 1.23ms, 2.00s) in ms
  awk -v v="$1" 'BEGIN { u = v; sub(/^[0-9.]+/, "", u); n = v + 0
    printf "%.3f", (u == "us" ? n / 1000 : u == "ms" ? n : u == "s" ? n * 1000 : u == "m" ? n * 60000 : -1) }'
}

# Runs load $2 (a row) against proxy $1 for $3 s; writes $work/out/$1-$2-$4.{txt,env,busy}. The
# proxy's CPU is sampled over the middle 80% of the run.
run() {
  local proxy=$1 row=$2 seconds=$3 tag=$4 p lp out=$work/out/$1-$2-$4 a b t0 quiet url settle window
  p=${pid[$proxy]}
  kill -0 "$p" 2>/dev/null || die "$proxy (pid $p) is not running"
  quiet=$(wait_quiet)
  settle=$(calc '%.2f' "$seconds * 0.1") window=$(calc '%.2f' "$seconds * 0.8")
  case $row in
    h1-*) url="http://127.0.0.1:${port[$proxy-h1]}/$(cut -d- -f2 <<<"$row")"
      "${client_pin[@]}" wrk -t1 "-c${row##*-}" "-d${seconds}s" --latency "$url" >"$out.txt" 2>&1 & ;;
    h2-tiny) url="http://127.0.0.1:${port[$proxy-h2]}/tiny"
      "${client_pin[@]}" h2load -c16 -m10 -D "$seconds" "$url" >"$out.txt" 2>&1 & ;;
    tcp) "${client_pin[@]}" iperf3 -c 127.0.0.1 -p "${port[$proxy-tcp]}" -t "$seconds" -J >"$out.txt" 2>&1 & ;;
  esac
  lp=$! t0=$EPOCHREALTIME
  load_pid=$lp
  sleep_until "$settle" "$t0"
  a=$(sample "$p")
  thread_ticks "$p" >"$out.threads0"
  sleep_until "$(calc '%.3f' "$settle + $window")" "$t0"
  thread_ticks "$p" >"$out.threads1"
  b=$(sample "$p")
  local ok=1 rate="" p99="" errors=0 unit
  wait "$lp" || ok=0
  load_pid=""
  case $row in
    h1-*)
      rate=$(awk '/^Requests\/sec:/ { print $2 }' "$out.txt")
      p99=$(awk '$1 == "99%" { print $2 }' "$out.txt")
      [ -z "$p99" ] || p99=$(ms "$p99")
      errors=$(awk '/Socket errors:/ { gsub(/,/, ""); s += $4 + $6 + $8 + $10 }
        /Non-2xx or 3xx responses:/ { s += $NF } END { print s + 0 }' "$out.txt")
      unit=req/s ;;
    h2-tiny)
      rate=$(awk '/^finished in/ { print $4 }' "$out.txt")
      p99=$(awk '/^time for request:/ { print $6 }' "$out.txt")  # h2load gives the mean, no p99
      [ -z "$p99" ] || p99=$(ms "$p99")
      errors=$(awk '/^requests:/ { s += $10 + $12 + $14 } /^status codes:/ { s += $5 + $7 + $9 } END { print s + 0 }' "$out.txt")
      [ "$(awk '/^requests:/ { print $8 }' "$out.txt")" != 0 ] || rate=""
      unit=req/s ;;
    tcp)
      rate=$(awk '/"sum_received"/ { f = 1 } f && /"bits_per_second"/ { gsub(/[",]/, ""); printf "%.3f", $2 / 1e9; exit }' "$out.txt")
      unit=Gbit/s ;;
  esac
  if [ "$ok" = 0 ] || [ -z "$rate" ]; then
    ok=0
    say "$(printf '%-8s %-10s %-7s FAILED: %s' "$proxy" "$row" "$tag" "$(grep -v '^ *$' "$out.txt" | tail -n 2 | tr '\n' ' ' | cut -c1-200)")"
  fi
  awk -v proxy="$proxy" -v row="$row" -v tag="$tag" -v ok="$ok" -v rate="${rate:-0}" -v p99="${p99:-}" \
    -v errors="$errors" -v unit="$unit" -v a="$a" -v b="$b" -v hz="$hz" -v quiet="$quiet" 'BEGIN {
      split(a, x, " "); split(b, y, " ")
      wall = y[1] - x[1]
      cores = (y[2] == "-" || x[2] == "-") ? -1 : (y[2] + y[3] - x[2] - x[3]) / hz / wall
      cbusy = (y[5] - x[5] > 0) ? (y[4] - x[4]) / (y[5] - x[5]) : 0
      printf "proxy=%s\nrow=%s\ntag=%s\nok=%s\nrate=%s\nunit=%s\np99=%s\nerrors=%s\n", proxy, row, tag, ok, rate, unit, p99, errors
      printf "proxy_cores=%s\nclient_busy=%.2f\nother_before=%s\n", (cores < 0 ? "n/a" : sprintf("%.2f", cores)), cbusy, quiet
      printf "us_per_req=%s\n", (cores > 0 && unit == "req/s" && rate > 0) ? sprintf("%.2f", cores / rate * 1e6) : "n/a"
    }' >"$out.env"
  LC_ALL=C join <(LC_ALL=C sort -k1,1 "$out.threads0") <(LC_ALL=C sort -k1,1 "$out.threads1") |
    awk -v hz="$hz" -v secs="$window" '
      { c = ($4 - $2) / hz / secs; if (c > 0.10) { printf "%s%s %.2f", (k++ ? ", " : ""), $3, c } }
      END { print "" }' >"$out.busy"
  rm -f "$out.threads0" "$out.threads1"
  # shellcheck source=/dev/null
  [ "$ok" = 0 ] || (. "$out.env"
    say "$(printf '%-8s %-10s %-7s %10s %-6s  %s  errors %s  CPU: proxy %s cores, client CPUs %.0f%% busy' \
      "$proxy" "$row" "$tag" "$rate" "$unit" "${p99:+$([ "$row" = h2-tiny ] && echo mean || echo p99) $p99 ms}" "$errors" \
      "$proxy_cores" "$(calc '%.2f' "$client_busy * 100")")")
  return 0
}

# Memory row for proxy $1: RSS idle, then with $idle_conns keep-alive connections (one GET /tiny
# each, then idle) held open through its HTTP/1.1 port.
idle_row() {
  local proxy=$1 p out=$work/out/$1-idle rss0 rss1 holder line still open_s held
  p=${pid[$proxy]}
  kill -0 "$p" 2>/dev/null || die "$proxy (pid $p) is not running"
  sleep 2
  rss0=$(rss_kib "$p")
  rm -f "$work/idle.fifo" && mkfifo "$work/idle.fifo"
  "${client_pin[@]}" "${java[@]}" -cp "$bench_cp" io.meridian.bench.proxy.IdleConnections \
    --port "${port[$proxy-h1]}" --count "$idle_conns" --request /tiny --hold 300 --timeout 120 \
    <"$work/idle.fifo" >"$out.txt" 2>&1 &
  holder=$!
  load_pid=$holder
  exec 7>"$work/idle.fifo"
  line=$(wait_line "$out.txt" '^(open|error)' 150 "$holder" || true)
  if [[ $line != open* ]]; then
    exec 7>&-
    wait "$holder" || true
    load_pid=""
    say "$proxy: could not hold $idle_conns connections: $(tail -n 2 "$out.txt" | tr '\n' ' ')"
    printf 'proxy=%s\nok=0\n' "$proxy" >"$out.env"
    return 0
  fi
  [[ $line =~ in\ ([0-9.]+)\ s ]] && open_s=${BASH_REMATCH[1]}
  sleep 3
  rss1=$(rss_kib "$p")
  held=$(established "${port[$proxy-h1]}")
  exec 7>&-
  wait "$holder" || true
  load_pid=""
  still=$(sed -n 's/^closed [0-9]* (still open \([0-9]*\))/\1/p' "$out.txt")
  [ "$held" -gt 0 ] || held=$idle_conns
  printf 'proxy=%s\nok=1\nrss_idle=%s\nrss_conns=%s\nconns=%s\nheld=%s\nstill_open=%s\nopen_seconds=%s\n' \
    "$proxy" "$rss0" "$rss1" "$idle_conns" "$held" "${still:-0}" "${open_s:-}" >"$out.env"
  say "$(printf '%-8s idle: RSS %.1f MiB idle, %.1f MiB with %d of %d keep-alive connections open (%.2f KiB each; %s still open at the end; opened in %s s)' \
    "$proxy" "$(calc '%.3f' "$rss0 / 1024")" "$(calc '%.3f' "$rss1 / 1024")" "$held" "$idle_conns" \
    "$(calc '%.3f' "($rss1 - $rss0) / $held")" "${still:-?}" "${open_s:-?}")"
  sleep 2 # the proxy closes its side
}

say "warm-up: ${warmup} s of each kind of load per proxy, discarded (JIT for meridian; the same for HAProxy)"
if [ "$warmup" -gt 0 ]; then
  for proxy in "${proxy_list[@]}"; do
    for row in h1-tiny-64 h1-16k-16 h2-tiny tcp; do
      case $row in h2-tiny | tcp) has_row "$row" || continue ;; esac
      run "$proxy" "$row" "$warmup" warmup
    done
  done
fi
measured=$(date -u '+%Y-%m-%d %H:%M UTC')
if has_row idle; then
  for proxy in "${proxy_list[@]}"; do idle_row "$proxy"; done
fi
for ((r = 1; r <= rounds; r++)); do
  order=("${proxy_list[@]}")
  if ((r % 2 == 0)) && [ "${#order[@]}" = 2 ]; then order=("${order[1]}" "${order[0]}"); fi
  for row in "${row_list[@]}"; do
    [ "$row" != idle ] || continue
    for proxy in "${order[@]}"; do run "$proxy" "$row" "$duration" "round$r"; done
  done
done
for proxy in "${proxy_list[@]}"; do
  rss_kib "${pid[$proxy]}" >"$work/out/$proxy-rss-after"
done
jvm_gc=""
if has_proxy meridian; then
  jvm_gc=$("$JAVA_HOME/bin/jcmd" "${pid[meridian]}" VM.flags 2>/dev/null | grep -o 'Use[A-Za-z]*GC' | awk 'NR == 1' || true)
fi
java_version=$("$JAVA_HOME/bin/java" -version 2>&1 | sed -n 's/.*Runtime Environment \(.*\)$/\1/p' | awk 'NR == 1')
# (awk 'NR == 1', not head: head would leave the tool a broken pipe, fatal under pipefail)
haproxy_version=$(haproxy -v 2>/dev/null | awk 'NR == 1 { print "HAProxy", $3 }')
wrk_version=$(wrk -v 2>&1 | awk 'NR == 1 { print $2 }' || true) # wrk -v exits 1
h2load_version=$(h2load --version 2>&1 | awk 'NR == 1' || true)
iperf_version=$(iperf3 --version 2>&1 | awk 'NR == 1 { print $2 }' || true)
{
  for v in command measured before jvm_gc java_version haproxy_version wrk_version h2load_version \
    iperf_version threads pinning duration warmup rounds idle_conns idle_capped_from fd_limit rows proxies quiet_wait \
    meridian_modes; do
    printf '%s=%q\n' "$v" "${!v}"
  done
} >"$work/run.env"
}

if [ "$report_only" = 1 ]; then
  [ -f "$work/run.env" ] || die "$work/run.env not found: --report-only needs the --work-dir of a finished run"
  # shellcheck source=/dev/null
  . "$work/run.env"
  IFS=, read -ra row_list <<<"$rows"
  IFS=, read -ra proxy_list <<<"$proxies"
else
  measure
fi

# ---- 5. report ---------------------------------------------------------------------------------
# $1 = file stem under out/ (haproxy-h1-tiny-16-round1), $2 = variable of its .env
get() { (. "$work/out/$1.env" 2>/dev/null && eval "printf '%s' \"\${$2:-}\""); }
num() { printf '%.0f' "$1" | sed -e ':a' -e 's/\([0-9]\)\([0-9]\{3\}\)\($\|,\)/\1,\2\3/' -e 'ta'; }
cpu_model=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)
# mean of variable $3 of proxy $1's row $2 over the rounds that measured it; empty if none did
mean() {
  local r v s=0 n=0
  for ((r = 1; r <= rounds; r++)); do
    [ "$(get "$1-$2-round$r" ok)" = 1 ] || continue
    v=$(get "$1-$2-round$r" "$3")
    [ -n "$v" ] && [ "$v" != n/a ] || continue
    s=$(calc '%.6f' "$s + $v") n=$((n + 1))
  done
  [ "$n" = 0 ] || calc '%.6f' "$s / $n"
}
# $1 / $2 to 2 decimals, or "—"
ratio() { if [ -n "$1" ] && [ -n "$2" ] && awk -v b="$2" 'BEGIN{exit !(b > 0)}'; then calc '%.2f×' "$1 / $2"; else echo "—"; fi; }
fmt_rate() { [ -n "$2" ] || { echo "not measured"; return; }; if [ "$1" = tcp ]; then calc '%.2f' "$2"; else num "$2"; fi; }
fmt() { if [ -n "$2" ]; then calc "$1" "$2"; else echo "—"; fi; }
label() {
  case $1 in
    h1-tiny-16) echo "HTTP/1.1 GET /tiny (10 B), 16 connections" ;;
    h1-tiny-64) echo "HTTP/1.1 GET /tiny (10 B), 64 connections" ;;
    h1-16k-16) echo "HTTP/1.1 GET /16k (16 KiB), 16 connections" ;;
    h1-16k-64) echo "HTTP/1.1 GET /16k (16 KiB), 64 connections" ;;
    h2-tiny) echo "h2c GET /tiny, 16 connections × 10 streams" ;;
    tcp) echo "TCP relay, iperf3 one stream (Gbit/s)" ;;
  esac
}
name() { if [ "$1" = haproxy ]; then echo HAProxy; else echo "meridian agent"; fi; }
both=0
has_proxy haproxy && has_proxy meridian && both=1
failures=0
heading="## Proxy: meridian agent vs HAProxy"
{
  echo "$heading"
  echo
  echo "Printed by \`meridian-bench/run-proxy-bench.sh\`; reproduce with:"
  echo
  echo '```'
  echo "$command"
  echo '```'
  echo
  echo "Measured $measured on $(nproc) CPUs ($cpu_model), Linux $(uname -r); JDK $java_version; $haproxy_version; wrk $wrk_version, $h2load_version, iperf3 $iperf_version. Other processes kept $before of $(nproc) cores busy just before the run."
  echo
  echo "- **Setup.** Three backends (\`io.meridian.bench.proxy.BenchBackend\`: Netty, epoll, one thread each; HTTP/1.1 keep-alive and h2c with prior knowledge on one port; \`/tiny\` answers 10 bytes, \`/16k\` 16,384) and one \`iperf3 -s\` sit behind both proxies. meridian agent runs in sidecar mode (\`--no-cluster-ips --upstream default/bench:http=… --upstream default/bench-h2:http=… --upstream default/bench-tcp=…\`) following a \`meridian dev\` registry: services \`bench\` (appProtocol http) and \`bench-h2\` (h2c) select the three backends, \`bench-tcp\` (tcp) the iperf3 server. $haproxy_version has \`mode http\` frontends with \`http-reuse always\`, \`option http-keep-alive\` and \`balance roundrobin\` over the same three backends (\`proto h2\` for the h2c frontend and its servers), a \`mode tcp\` frontend to iperf3, the agent's timeouts (connect 1 s with 3 attempts, request headers 10 s, response 15 s, keep-alive idle 60 s), \`maxconn $((idle_conns + 100))\` (its default, derived from \`ulimit -n\`, would refuse the memory row's connections) and no logging.${idle_capped_from:+ The memory row holds $idle_conns connections, not $idle_capped_from: under the hard descriptor limit of this machine ($fd_limit) HAProxy, which reserves two descriptors per connection, holds no more.}"
  if [ -n "$meridian_modes" ]; then
    echo "- **How meridian agent served each port** (from its log): $meridian_modes.$([[ $meridian_modes == *"h2c port: tcp"* ]] && echo " It relays h2c per connection, as TCP (docs/proxy.md: per-request HTTP/2 balancing is being built), while HAProxy terminates HTTP/2 and balances each stream: the h2c row compares different work.")"
  fi
  echo "- **Threads and pinning.** $pinning. HAProxy \`nbthread $threads\`, meridian agent \`--threads $threads\`. Both proxies run throughout; the one not measured sits idle."
  echo "- **Load.** \`wrk -t1 -cN -d${duration}s --latency\` (p99 from its latency distribution); \`h2load -c16 -m10 -D $duration\` (h2c prior knowledge; h2load reports no percentiles, so its latency is the mean); \`iperf3 -c -t $duration\` through each proxy's TCP port (one stream, received Gbit/s). First $warmup s of each kind of load per proxy, discarded (the JIT compiles the agent's paths; HAProxy gets the same); then $rounds round(s), each measuring both proxies row by row, which goes first alternating per round. Figures below are means over the rounds."
  echo "- **Memory.** VmRSS of each proxy from \`/proc/PID/status\`: idle after the warm-up, then with $(num "$idle_conns") HTTP/1.1 connections (\`io.meridian.bench.proxy.IdleConnections\`, 256 at a time: connect, one \`GET /tiny\`, then idle) held open through its HTTP/1.1 port, 3 s after the last one got its answer; and after all the load rows."
  echo
  if [ "$both" = 1 ]; then
    echo "| load | HAProxy | meridian agent | meridian ÷ HAProxy (higher is better) | p99 ms: HAProxy | meridian | meridian ÷ HAProxy (lower is better) | proxy CPU cores: HAProxy | meridian | proxy CPU µs / request: HAProxy | meridian |"
    echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
  else
    echo "| load | $(name "${proxy_list[0]}") | p99 ms | proxy CPU cores | proxy CPU µs / request |"
    echo "|---|---:|---:|---:|---:|"
  fi
  for row in "${row_list[@]}"; do
    [ "$row" != idle ] || continue
    unit=req/s
    [ "$row" != tcp ] || unit=Gbit/s
    lat=p99
    [ "$row" != h2-tiny ] || lat=mean
    if [ "$both" = 1 ]; then
      rh=$(mean haproxy "$row" rate) rm=$(mean meridian "$row" rate)
      lh=$(mean haproxy "$row" p99) lm=$(mean meridian "$row" p99)
      ch=$(mean haproxy "$row" proxy_cores) cm=$(mean meridian "$row" proxy_cores)
      uh=$(mean haproxy "$row" us_per_req) um=$(mean meridian "$row" us_per_req)
      [ -n "$rh" ] && [ -n "$rm" ] || failures=$((failures + 1))
      if [ "$row" = tcp ]; then lh="" lm=""; fi
      printf '| %s | %s %s | %s %s | %s | %s | %s | %s | %s | %s | %s | %s |\n' "$(label "$row")" \
        "$(fmt_rate "$row" "$rh")" "$unit" "$(fmt_rate "$row" "$rm")" "$unit" "$(ratio "$rm" "$rh")" \
        "$(fmt '%.2f' "$lh")${lh:+ ($lat)}" "$(fmt '%.2f' "$lm")${lm:+ ($lat)}" "$(ratio "$lm" "$lh")" \
        "$(fmt '%.2f' "$ch")" "$(fmt '%.2f' "$cm")" "$(fmt '%.2f' "$uh")" "$(fmt '%.2f' "$um")"
    else
      p=${proxy_list[0]}
      rr=$(mean "$p" "$row" rate) ll=$(mean "$p" "$row" p99) cc=$(mean "$p" "$row" proxy_cores) uu=$(mean "$p" "$row" us_per_req)
      [ -n "$rr" ] || failures=$((failures + 1))
      [ "$row" != tcp ] || ll=""
      printf '| %s | %s %s | %s | %s | %s |\n' "$(label "$row")" "$(fmt_rate "$row" "$rr")" "$unit" \
        "$(fmt '%.2f' "$ll")${ll:+ ($lat)}" "$(fmt '%.2f' "$cc")" "$(fmt '%.2f' "$uu")"
    fi
  done
  echo
  if has_row idle; then
    echo "| memory (VmRSS) | $(for p in "${proxy_list[@]}"; do printf '%s | ' "$(name "$p")"; done)$([ "$both" = 1 ] && echo "meridian ÷ HAProxy (lower is better) |")"
    echo "|---|$(for p in "${proxy_list[@]}"; do printf '%s' '---:|'; done)$([ "$both" = 1 ] && printf '%s' '---:|')"
    declare -A m_idle m_conns m_per m_after
    for p in "${proxy_list[@]}"; do
      if [ "$(get "$p-idle" ok)" = 1 ]; then
        m_idle[$p]=$(calc '%.3f' "$(get "$p-idle" rss_idle) / 1024")
        m_conns[$p]=$(calc '%.3f' "$(get "$p-idle" rss_conns) / 1024")
        held=$(get "$p-idle" held)
        m_per[$p]=$(calc '%.3f' "($(get "$p-idle" rss_conns) - $(get "$p-idle" rss_idle)) / ${held:-$(get "$p-idle" conns)}")
      else
        m_idle[$p]="" m_conns[$p]="" m_per[$p]=""
        failures=$((failures + 1))
      fi
      m_after[$p]=$(calc '%.3f' "$(cat "$work/out/$p-rss-after" 2>/dev/null || echo 0) / 1024")
    done
    mem_row() { # $1 = label, $2 = array name, $3 = format
      local -n arr=$2
      printf '| %s |' "$1"
      for p in "${proxy_list[@]}"; do printf ' %s |' "$(fmt "$3" "${arr[$p]}")"; done
      if [ "$both" = 1 ]; then printf ' %s |' "$(ratio "${arr[meridian]}" "${arr[haproxy]}")"; fi
      echo
    }
    mem_row "idle, after the warm-up (MiB)" m_idle '%.1f'
    mem_row "with $(num "$idle_conns") idle keep-alive connections (MiB)" m_conns '%.1f'
    mem_row "added per connection (KiB)" m_per '%.2f'
    mem_row "after all the load rows (MiB)" m_after '%.1f'
    for p in "${proxy_list[@]}"; do
      s=$(get "$p-idle" still_open) held=$(get "$p-idle" held)
      if [ "$(get "$p-idle" ok)" = 1 ] && { [ "$s" != "$idle_conns" ] || [ "${held:-$idle_conns}" != "$idle_conns" ]; }; then
        echo
        echo "- $(name "$p") closed idle connections early: of $(num "$idle_conns"), $(num "${held:-$idle_conns}") were still open when its RSS was read (the oldest $(calc '%.0f' "$(get "$p-idle" open_seconds) + 3") s old; the per-connection figure divides by this number) and $(num "$s") when the holder closed them. The keep-alive idle timeout is 60 s, so a shorter timeout applied (the 10 s request-header timeout running between requests, perhaps)."
      fi
    done
    echo
  fi
  echo "### Per round"
  echo
  echo "| load | round | proxy | rate | p99 (h2: mean) ms | errors | proxy CPU cores | client CPUs busy | busy proxy threads (cores) |"
  echo "|---|---|---|---:|---:|---:|---:|---:|---|"
  for row in "${row_list[@]}"; do
    [ "$row" != idle ] || continue
    for ((r = 1; r <= rounds; r++)); do
      for p in "${proxy_list[@]}"; do
        f=$p-$row-round$r
        [ -f "$work/out/$f.env" ] || continue
        if [ "$(get "$f" ok)" = 1 ]; then
          printf '| %s | %s | %s | %s %s | %s | %s | %s | %s%% | %s |\n' "$row" "$r" "$(name "$p")" \
            "$(fmt_rate "$row" "$(get "$f" rate)")" "$(get "$f" unit)" "$(fmt '%.2f' "$(get "$f" p99)")" \
            "$(get "$f" errors)" "$(get "$f" proxy_cores)" "$(calc '%.0f' "$(get "$f" client_busy) * 100")" \
            "$(cat "$work/out/$f.busy")"
        else
          printf '| %s | %s | %s | failed: %s | | | | | |\n' "$row" "$r" "$(name "$p")" \
            "$(grep -v '^ *$' "$work/out/$f.txt" | tail -n 1 | tr '|' '/' | cut -c1-120)"
        fi
      done
    done
  done
  echo
  echo "### Reading these numbers"
  echo
  echo "- **Who set the rate.** With the proxy on its own CPU and everything else on the other, a proxy at about $threads.0 CPU cores was the limit; below that, the client CPUs (wrk, h2load or iperf3 plus the backends, see *client CPUs busy*) were, and the rate ratio understates the difference between the proxies. *proxy CPU µs / request* (the proxy's user + system time over the middle 80% of the run, per request) compares their cost whatever the limit was."
  echo "- **JVM.** meridian agent runs on the JVM's defaults for a $threads-CPU process (${jvm_gc:-the collector the JVM picks}, default heap); its RSS includes the heap the collector has grown to, not only live data."
  if [ "$rounds" -gt 1 ]; then
    echo "- **Noise.** This is a shared 2-core VM; see the per-round table for the spread. Treat ratios within it (and at least ±5%) as a tie."
  else
    echo "- **Noise.** One round only: repeated rounds on a shared 2-core VM differ by 5–15%. Treat ratios within that as a tie."
  fi
} >"$work/report.md"

cat "$work/report.md"
if [ "$failures" -gt 0 ]; then
  say "$failures figure(s) could not be measured (\"not measured\" / \"—\" above; see the per-round table); docs left alone"
  exit 1
fi
if [ "$docs" != - ]; then
  if [ ! -f "$docs" ]; then
    mkdir -p "$(dirname "$docs")"
    printf '# Benchmarks\n\nFigures printed by the benchmarks in `meridian-bench`; each section names the command that reproduces it. Benchmarks never pass or fail on speed.\n' >"$docs"
  fi
  # Replace the section (its heading up to the next "## " heading), or append it.
  awk -v h="$heading" -v sec="$work/report.md" '
    function section(   l) { while ((getline l < sec) > 0) print l; close(sec) }
    function flush(   i) { for (i = 1; i <= n; i++) print lines[i]; n = 0 }
    $0 == h { found = 1; skip = 1; flush(); section(); next }
    skip && /^## / { skip = 0; print "" }
    skip { next }
    { lines[++n] = $0 }
    END {
      if (!found) {
        while (n > 0 && lines[n] == "") n--
        flush()
        print ""
        section()
      } else {
        flush()
      }
    }' "$docs" >"$work/docs.new"
  cp "$work/docs.new" "$docs"
  say "wrote the section \"$heading\" of $docs"
fi
