#!/usr/bin/env bash
# meridian dns vs Knot DNS under dnsperf, on this machine, in one run: a registry with 100
# ClusterIP services and one headless service (3 ready instances) is served by `meridian dns`,
# the same records (read back from it with dig) by knotd from a zone file; dnsperf sends the same
# query file to each, pinned the same way. Prints a Markdown report (QPS, latency, lost queries,
# ratio to Knot, CPU) and replaces the "## DNS: meridian dns vs Knot" section of
# docs/benchmarks.md. The default run takes about 3 minutes after the build. It prints figures;
# it never passes or fails on speed (exit 0 = it measured, 1 = it could not, 2 = bad arguments).
#
#   meridian-bench/run-dns-bench.sh                                  # full run, defaults below
#   meridian-bench/run-dns-bench.sh --duration 3 --rounds 1 --docs - # quick, no docs
#
# Options (all optional): --duration 10 (s, dnsperf -l per measured run), --warmup 10 (s, one
# discarded dnsperf run per server first), --rounds 3 (each round measures both; the order
# alternates), --clients 10 (dnsperf -c), --outstanding 200 (dnsperf -q), --services 100,
# --cpus SERVER:CLIENT (taskset lists; default 0:1: both servers on CPU 0, dnsperf on CPU 1;
# "none": no pinning; each server gets one worker thread per server CPU), --quiet-wait 0 (s:
# before the run and before each dnsperf run, wait up to this long for other processes to go
# quiet), --meridian-jvm-arg OPT (repeatable; e.g.
# -XX:StartFlightRecording=filename=/tmp/dns.jfr,settings=profile), --work-dir DIR (kept;
# default a temp dir, deleted), --docs FILE|- (default this repository's docs/benchmarks.md; -
# prints only), --build (rebuild meridian.jar even if it looks current), --no-syscalls (skip the
# extra 5 s run per server that counts system calls per query with perf), --report-only (with
# --work-dir of an earlier run: render its report and docs section again, measure nothing).
#
# Traffic goes to 127.0.0.1 only. The registry, meridian dns and knotd are child processes; they
# are stopped, and the temp dir deleted, at the end, on failure and on Ctrl-C.
set -euo pipefail
export LC_ALL=C
script=$0
# the command to reproduce, as given, less --work-dir and --docs (where files go, not what is measured)
command=meridian-bench/run-dns-bench.sh
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
say() { echo "run-dns-bench: $*" >&2; }
die() { say "$*"; exit 1; }
calc() { awk "BEGIN{printf \"$1\", $2}"; }

duration=10 warmup=10 rounds=3 clients=10 outstanding=200 services=100 cpus=0:1 quiet_wait=0
work_dir="" docs=$root/docs/benchmarks.md build=0 jvm_args=() syscall_probe=1 report_only=0
while [ $# -gt 0 ]; do
  case $1 in
    --build) build=1; shift; continue ;;
    --no-syscalls) syscall_probe=0; shift; continue ;;
    --report-only) report_only=1; shift; continue ;;
    -h | --help) usage ;;
    --duration | --warmup | --rounds | --clients | --outstanding | --services | --cpus | \
      --quiet-wait | --meridian-jvm-arg | --work-dir | --docs)
      [ $# -ge 2 ] || { say "$1 needs a value"; usage; } ;;
    *) say "unknown option $1"; usage ;;
  esac
  case $1 in
    --duration) duration=$2 ;;
    --warmup) warmup=$2 ;;
    --rounds) rounds=$2 ;;
    --clients) clients=$2 ;;
    --outstanding) outstanding=$2 ;;
    --services) services=$2 ;;
    --cpus) cpus=$2 ;;
    --quiet-wait) quiet_wait=$2 ;;
    --meridian-jvm-arg) jvm_args+=("$2") ;;
    --work-dir) case $2 in /*) work_dir=$2 ;; *) work_dir=$caller/$2 ;; esac ;;
    --docs) case $2 in - | /*) docs=$2 ;; *) docs=$caller/$2 ;; esac ;;
  esac
  shift 2
done
for n in duration warmup rounds clients outstanding services quiet_wait; do
  [[ ${!n} =~ ^[0-9]+$ ]] || { say "--${n//_/-} must be a whole number, got '${!n}'"; usage; }
done
[ "$report_only" = 0 ] || [ -n "$work_dir" ] || { say "--report-only needs the --work-dir of a run"; usage; }
[ "$duration" -ge 1 ] && [ "$rounds" -ge 1 ] && [ "$clients" -ge 1 ] && [ "$outstanding" -ge 1 ] &&
  [ "$services" -ge 1 ] || { say "--duration, --rounds, --clients, --outstanding, --services must be >= 1"; usage; }

# ---- pinning -----------------------------------------------------------------------------------
# Counts the CPUs of a taskset list (0, 0-1, 0,2-3).
cpu_count() {
  local n=0 part parts
  IFS=, read -ra parts <<<"$1"
  for part in "${parts[@]}"; do
    if [[ $part =~ ^([0-9]+)-([0-9]+)$ ]]; then
      n=$((n + BASH_REMATCH[2] - BASH_REMATCH[1] + 1))
    elif [[ $part =~ ^[0-9]+$ ]]; then
      n=$((n + 1))
    else
      return 1
    fi
  done
  echo "$n"
}
if [ "$cpus" = none ]; then
  server_pin=() client_pin=() server_cpus=$(nproc) client_cpus=$(nproc)
  pinning="none: servers and dnsperf share all $(nproc) CPUs"
else
  [[ $cpus == *:* ]] || { say "--cpus must be SERVER:CLIENT (e.g. 0:1) or none, got '$cpus'"; usage; }
  server_list=${cpus%%:*} client_list=${cpus#*:}
  server_cpus=$(cpu_count "$server_list") && client_cpus=$(cpu_count "$client_list") ||
    { say "--cpus: bad CPU list in '$cpus'"; usage; }
  command -v taskset >/dev/null || die "taskset is not installed (apt-get install util-linux), or use --cpus none"
  taskset -c "$server_list" true 2>/dev/null && taskset -c "$client_list" true 2>/dev/null ||
    die "--cpus $cpus: this machine has CPUs 0-$(($(nproc) - 1))"
  server_pin=(taskset -c "$server_list") client_pin=(taskset -c "$client_list")
  pinning="each server on CPU(s) $server_list (taskset; $server_cpus worker thread(s) each), dnsperf on CPU(s) $client_list ($client_cpus thread(s))"
fi

# ---- tools and build ---------------------------------------------------------------------------
for tool in dnsperf knotd dig; do
  command -v "$tool" >/dev/null || die "$tool is not installed; apt-get install dnsperf knot bind9-dnsutils"
done
cd "$root"
# shellcheck source=/dev/null
. .ci/find-java
meridian_find_java || exit 1
export JAVA_HOME=$MERIDIAN_JAVA_HOME
jar=$root/meridian-cli/target/meridian.jar
if [ "$report_only" = 0 ] && { [ "$build" = 1 ] || [ ! -f "$jar" ] || [ -n "$(find pom.xml meridian-*/pom.xml \
  meridian-{api,client,balancer,registry,dns,cli}/src/main -newer "$jar" -type f -print -quit 2>/dev/null)" ]; }; then
  say "building meridian.jar with $JAVA_HOME"
  ./mvnw -B -q -DskipTests -DskipITs -pl meridian-cli -am install >&2 || die "the build failed (output above)"
fi
java=("$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED)

# ---- processes and cleanup ---------------------------------------------------------------------
if [ -n "$work_dir" ]; then
  mkdir -p "$work_dir" && work=$(cd "$work_dir" && pwd) keep=1
else
  work=$(mktemp -d "${TMPDIR:-/tmp}/meridian-dns-bench.XXXXXX") keep=0
fi
pids=()
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
  for pid in "${pids[@]}"; do stop_pid "$pid"; done
  if [ "$keep" = 1 ]; then say "kept $work"; else rm -rf "$work"; fi
  exit "$rc"
}
trap cleanup EXIT
trap 'say interrupted; exit 130' INT
trap 'exit 143' TERM

# Waits (at most $3 s) until file $1 has a line matching $2; prints the first.
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
# A free local port (nothing bound to it over UDP or TCP, v4 or v6), tried at random.
free_port() {
  local p hex i
  for ((i = 0; i < 100; i++)); do
    p=$((20000 + RANDOM % 40000)) hex=$(printf '%04X' "$p")
    if ! awk 'FNR > 1 { print $2 }' /proc/net/udp /proc/net/udp6 /proc/net/tcp /proc/net/tcp6 2>/dev/null |
      grep -qi ":$hex\$"; then
      echo "$p"
      return 0
    fi
  done
  return 1
}
q() { dig @127.0.0.1 -p "$1" +time=1 +tries=1 "${@:2}"; }

# ---- measuring (sections 0-4; one function, so that --report-only can skip it) -----------------
measure() {
# ---- machine quiet? ----------------------------------------------------------------------------
# Busy and total jiffies of all CPUs: user..steal (guest time is already in user), busy less idle
# and iowait.
machine_busy() { awk '/^cpu /{t=0; for(i=2;i<=9;i++) t+=$i; print t-$5-$6, t; exit}' /proc/stat; }
# Cores busy over $1 s, whole machine (our servers are idle whenever this is called).
busy_cores() {
  local b0 t0 b1 t1
  read -r b0 t0 < <(machine_busy); sleep "$1"; read -r b1 t1 < <(machine_busy)
  awk -v b=$((b1 - b0)) -v t=$((t1 - t0)) -v n="$(nproc)" 'BEGIN{printf "%.2f", (t > 0 ? b / t * n : 0)}'
}
# With --quiet-wait: waits (at most that long, each time) until other processes keep under 0.15
# cores busy over 3 s; prints the last figure.
wait_quiet() {
  local busy
  busy=$(busy_cores 3)
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

# ---- 1. registry, dataset, meridian dns ----------------------------------------------------------
say "work dir $work"
mkdir -p "$work/registry" "$work/knot/run" "$work/knot/db" "$work/knot/zones" "$work/out"
"${client_pin[@]}" "${java[@]}" -jar "$jar" server --port 0 --data-dir "$work/registry" \
  >"$work/registry.out" 2>"$work/registry.err" &
pids+=($!) registry_pid=$!
line=$(wait_line "$work/registry.out" '^meridian: registry listening on ' 60 $registry_pid) ||
  die "the registry did not start (see $work/registry.err): $(tail -n 3 "$work/registry.err")"
registry=${line#meridian: registry listening on }
say "registry $registry"

{
  cat <<'EOF'
apiVersion: v1
kind: Service
metadata:
  name: headless
spec:
  clusterIP: None
  selector:
    app: headless
  ports:
  - name: http
    port: 8080
    targetPort: http
EOF
  for ((i = 0; i < services; i++)); do
    printf -- '---\napiVersion: v1\nkind: Service\nmetadata:\n  name: svc-%d\nspec:\n' "$i"
    printf '  selector:\n    app: svc-%d\n  ports:\n  - name: http\n    port: 80\n    targetPort: http\n' "$i"
  done
} >"$work/services.yaml"
cli() { "${client_pin[@]}" "${java[@]}" -jar "$jar" "$@" --registry "$registry"; }
cli apply -f "$work/services.yaml" >"$work/apply.out" 2>&1 || die "apply failed: $(tail -n 5 "$work/apply.out")"
for i in 1 2 3; do
  cli register headless "10.1.0.$i:8080" --port-name http >>"$work/apply.out" 2>&1 ||
    die "register failed: $(tail -n 5 "$work/apply.out")"
done

"${server_pin[@]}" "${java[@]}" "${jvm_args[@]}" -jar "$jar" dns --registry "$registry" --port 0 \
  >"$work/meridian-dns.out" 2>"$work/meridian-dns.err" &
pids+=($!) meridian_pid=$!
line=$(wait_line "$work/meridian-dns.out" '^meridian: dns listening on ' 60 $meridian_pid) ||
  die "meridian dns did not start (see $work/meridian-dns.err): $(tail -n 3 "$work/meridian-dns.err")"
[[ $line =~ ^meridian:\ dns\ listening\ on\ 127\.0\.0\.1:([0-9]+) ]] || die "unexpected: $line"
meridian_port=${BASH_REMATCH[1]}
last=svc-$((services - 1)).default.svc.cluster.local
deadline=$((SECONDS + 60))
until [ "$(q "$meridian_port" +short headless.default.svc.cluster.local A | grep -c .)" = 3 ] &&
  [ -n "$(q "$meridian_port" +short "$last" A)" ]; do
  [ $SECONDS -lt $deadline ] || die "meridian dns on port $meridian_port does not answer every name after 60 s"
  sleep 0.5
done
say "meridian dns on 127.0.0.1:$meridian_port answers"

# ---- 2. the same records for Knot --------------------------------------------------------------
{
  for ((i = 0; i < services; i++)); do
    echo "svc-$i.default.svc.cluster.local A"
    echo "_http._tcp.svc-$i.default.svc.cluster.local SRV"
  done
  echo "headless.default.svc.cluster.local A"
  echo "_http._tcp.headless.default.svc.cluster.local SRV"
  q "$meridian_port" +short _http._tcp.headless.default.svc.cluster.local SRV | awk '{print $4, "A"}'
} >"$work/zone-names.txt"
soa=$(q "$meridian_port" +noall +answer cluster.local SOA)
serial=$(awk '{print $7}' <<<"$soa")
[ -n "$serial" ] || die "no SOA from meridian dns"
{
  echo "; cluster.local as meridian dns served it (dig -f zone-names.txt), for Knot"
  echo '$ORIGIN cluster.local.'
  echo "$soa"
  q "$meridian_port" +noall +answer -f "$work/zone-names.txt"
} >"$work/knot/zones/cluster.local.zone"
records=$(grep -vc '^[;$]' "$work/knot/zones/cluster.local.zone")
expected=$((1 + 2 * services + 3 + 3 + 3))
[ "$records" = "$expected" ] || die "zone has $records records, expected $expected (see $work/knot/zones)"

knot_port=$(free_port) || die "no free port found for knotd"
cat >"$work/knot/knot.conf" <<EOF
# As close to meridian dns as Knot allows: one zone from a file, no DNSSEC, no journal, no
# zone-file sync, as many UDP/TCP workers as meridian dns has event-loop threads.
server:
    rundir: "$work/knot/run"
    listen: 127.0.0.1@$knot_port
    udp-workers: $server_cpus
    tcp-workers: $server_cpus
    background-workers: 1
database:
    storage: "$work/knot/db"
log:
  - target: stderr
    any: info
template:
  - id: default
    storage: "$work/knot/zones"
    zonefile-sync: -1
    zonefile-load: whole
    journal-content: none
zone:
  - domain: cluster.local
    file: "cluster.local.zone"
EOF
"${server_pin[@]}" knotd -c "$work/knot/knot.conf" >"$work/knotd.log" 2>&1 &
pids+=($!) knot_pid=$!
deadline=$((SECONDS + 30))
until [ "$(q "$knot_port" +short cluster.local SOA 2>/dev/null | awk '{print $3}')" = "$serial" ]; do
  kill -0 $knot_pid 2>/dev/null || die "knotd exited: $(tail -n 5 "$work/knotd.log")"
  [ $SECONDS -lt $deadline ] || die "knotd on port $knot_port does not answer after 30 s: $(tail -n 5 "$work/knotd.log")"
  sleep 0.2
done
say "knotd on 127.0.0.1:$knot_port answers (zone of $records records, serial $serial)"

# ---- 3. the query file, and the same answers from both ------------------------------------------
# Per 20 queries: 14 A for ClusterIP services, 2 A for the headless service, 1 SRV of a ClusterIP
# service, 1 SRV of the headless one, 2 NXDOMAIN. Each kind walks the services with a stride of 37
# (coprime to 100, so all of them come up).
awk -v n="$services" 'BEGIN {
  for (i = 0; i < 2000; i++) {
    k = i % 20
    if (k < 14) print "svc-" (a++ * 37) % n ".default.svc.cluster.local A"
    else if (k < 16) print "headless.default.svc.cluster.local A"
    else if (k == 16) print "_http._tcp.svc-" (s++ * 37) % n ".default.svc.cluster.local SRV"
    else if (k == 17) print "_http._tcp.headless.default.svc.cluster.local SRV"
    else print "missing-" (x++ * 37) % n ".default.svc.cluster.local A"
  } }' >"$work/queries.txt"
sort -u "$work/queries.txt" >"$work/queries-unique.txt"
# answer + authority sections (sorted: meridian rotates records) and rcodes, per server
for p in "$meridian_port" "$knot_port"; do
  q "$p" +noall +answer +authority -f "$work/queries-unique.txt" | sort >"$work/answers-$p.txt"
  q "$p" +noall +comments -f "$work/queries-unique.txt" | grep -o 'status: [A-Z]*' | sort | uniq -c \
    >"$work/rcodes-$p.txt"
done
if ! cmp -s "$work/answers-$meridian_port.txt" "$work/answers-$knot_port.txt" ||
  ! cmp -s "$work/rcodes-$meridian_port.txt" "$work/rcodes-$knot_port.txt"; then
  diff "$work/answers-$meridian_port.txt" "$work/answers-$knot_port.txt" | head -n 20 >&2 || true
  die "meridian dns and knotd answer the query file differently (above: < meridian, > knot)"
fi
say "both answer all $(wc -l <"$work/queries-unique.txt") distinct queries identically ($(tr -s ' ' <"$work/rcodes-$knot_port.txt" | paste -sd, -))"

# Response size and additional records per kind of query, from each server (no EDNS, as dnsperf)
kinds=("A, ClusterIP service|svc-0.default.svc.cluster.local A"
  "A, headless service|headless.default.svc.cluster.local A"
  "SRV, ClusterIP service|_http._tcp.svc-0.default.svc.cluster.local SRV"
  "SRV, headless service|_http._tcp.headless.default.svc.cluster.local SRV"
  "NXDOMAIN|missing-0.default.svc.cluster.local A")
: >"$work/sizes.txt"
for k in "${kinds[@]}"; do
  row=${k%%|*}
  for p in "$meridian_port" "$knot_port"; do
    # shellcheck disable=SC2086
    row="$row|$(q "$p" +noedns ${k#*|} | awk '/ADDITIONAL:/ { sub(/.*ADDITIONAL: /, ""); a = $1 + 0 }
      /MSG SIZE/ { s = $NF } END { print s "|" a }')"
  done
  echo "$row" >>"$work/sizes.txt"
done

# ---- 4. runs -----------------------------------------------------------------------------------
hz=$(getconf CLK_TCK)
# "user system" ticks of process $1, all its threads (fields 14 and 15 of /proc/PID/stat; read
# without forking, so sampling stays cheap); "- -" once it has exited
proc_user_sys() {
  local line f
  if read -r line 2>/dev/null <"/proc/$1/stat"; then
    read -ra f <<<"${line##*) }"
    echo "${f[11]} ${f[12]}"
  else
    echo "- -"
  fi
}
# UDP datagrams the kernel dropped because a socket's receive buffer was full (whole machine)
rcvbuf_errors() {
  awk '/^Udp:/ { if (!h) { for (i = 1; i <= NF; i++) if ($i == "RcvbufErrors") c = i; h = 1 } else print $c }' /proc/net/snmp
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
server_port() { if [ "$1" = meridian ]; then echo "$meridian_port"; else echo "$knot_port"; fi; }
server_pid() { if [ "$1" = meridian ]; then echo "$meridian_pid"; else echo "$knot_pid"; fi; }

# CPU figures of one moment: "wall server_user server_sys dnsperf_user dnsperf_sys machine_busy"
sample() {
  local cpu u n s idle iowait irq softirq steal rest
  read -r cpu u n s idle iowait irq softirq steal rest </proc/stat
  echo "$EPOCHREALTIME $(proc_user_sys "$1") $(proc_user_sys "$2") $((u + n + s + irq + softirq + steal))"
}
# Sleeps until $1 s after the moment $2 ($EPOCHREALTIME)
sleep_until() { local d; d=$(calc '%.3f' "$2 + $1 - ${EPOCHREALTIME}"); awk -v d="$d" 'BEGIN{exit !(d > 0)}' && sleep "$d" || true; }

# Runs dnsperf against $1 (meridian|knot) for $2 s; writes $work/out/$1-$3.{txt,env,busy}. CPU is
# sampled over the middle 80% of the run, where dnsperf keeps the server busy (outside it are its
# start and, after the time limit, its wait for the last answers).
run() {
  local name=$1 seconds=$2 tag=$3 pid port dp out=$work/out/$1-$3 a b settle window drops t0 quiet
  pid=$(server_pid "$name") port=$(server_port "$name")
  kill -0 "$pid" 2>/dev/null || die "$name (pid $pid) is not running"
  quiet=$(wait_quiet)
  settle=$(calc '%.2f' "$seconds * 0.1") window=$(calc '%.2f' "$seconds * 0.8")
  drops=$(rcvbuf_errors)
  "${client_pin[@]}" dnsperf -s 127.0.0.1 -p "$port" -d "$work/queries.txt" -l "$seconds" \
    -c "$clients" -q "$outstanding" -T "$client_cpus" >"$out.txt" 2>&1 &
  dp=$! t0=$EPOCHREALTIME
  pids+=("$dp")
  sleep_until "$settle" "$t0"
  a=$(sample "$pid" "$dp")
  thread_ticks "$pid" >"$out.threads0"
  sleep_until "$(calc '%.3f' "$settle + $window")" "$t0"
  thread_ticks "$pid" >"$out.threads1"
  b=$(sample "$pid" "$dp")
  wait "$dp" || die "dnsperf failed: $(tail -n 5 "$out.txt")"
  drops=$(($(rcvbuf_errors) - drops))
  awk -v name="$name" -v tag="$tag" -v a="$a" -v b="$b" -v hz="$hz" -v drops="$drops" -v quiet="$quiet" '
    /Queries sent:/ { sent = $3 }
    /Queries completed:/ { done = $3 }
    /Queries lost:/ { lost = $3 }
    /Response codes:/ { sub(/^ *Response codes: */, ""); rcodes = $0 }
    /Average packet size:/ { req = $5; sub(/,/, "", req); resp = $7 }
    /Queries per second:/ { qps = $4 }
    /Average Latency/ { avg = $4 }
    /Latency StdDev/ { sd = $4 }
    END {
      if (qps == "") exit 1
      split(a, x, " "); split(b, y, " ")
      wall = y[1] - x[1]
      user = (y[2] - x[2]) / hz / wall; sys = (y[3] - x[3]) / hz / wall; server = user + sys
      # dnsperf ended before the window did (a machine too busy to wake us in time): no client CPU
      client = (y[4] == "-" || x[4] == "-") ? -1 : (y[4] + y[5] - x[4] - x[5]) / hz / wall
      busy = (y[6] - x[6]) / hz / wall
      other = busy - server - (client < 0 ? 0 : client); if (other < 0) other = 0
      printf "name=%s\ntag=%s\nqps=%s\nsent=%s\ndone=%s\nlost=%s\navg=%s\nsd=%s\nreq=%s\nresp=%s\n", \
        name, tag, qps, sent, done, lost, avg, sd, req, resp
      printf "rcodes=\"%s\"\nserver_cores=%.2f\nclient_cores=%s\nother_cores=%.2f\n", \
        rcodes, server, (client < 0 ? "n/a" : sprintf("%.2f", client)), other
      printf "# samples: %s / %s\n", a, b
      # CPU per answered query, over the sampled window, at the rate of the whole run
      printf "server_us_per_query=%.2f\nuser_us_per_query=%.2f\nsys_us_per_query=%.2f\n", \
        (qps > 0 ? server / qps * 1e6 : 0), (qps > 0 ? user / qps * 1e6 : 0), (qps > 0 ? sys / qps * 1e6 : 0)
      printf "rcvbuf_drops=%d\nother_before=%s\n", drops, quiet
    }' "$out.txt" >"$out.env" || die "could not parse dnsperf output $out.txt"
  # threads that used more than 0.1 core in the window
  LC_ALL=C join <(LC_ALL=C sort -k1,1 "$out.threads0") <(LC_ALL=C sort -k1,1 "$out.threads1") |
    awk -v hz="$hz" -v secs="$window" '
      { c = ($4 - $2) / hz / secs; if (c > 0.10) { printf "%s%s %.2f", (k++ ? ", " : ""), $3, c } }
      END { print "" }' >"$out.busy"
  # shellcheck source=/dev/null
  . "$out.env"
  say "$(printf '%-8s %-7s %8.0f qps  avg %.3f ms  lost %s (buffer drops %s)  CPU: server %s (%s + %s us/q)  dnsperf %s  other %s  busy threads: %s' \
    "$name" "$tag" "$qps" "$(calc '%.6f' "$avg * 1000")" "$lost" "$rcvbuf_drops" "$server_cores" \
    "$user_us_per_query" "$sys_us_per_query" "$client_cores" "$other_cores" "$(cat "$out.busy")")"
}
say "warm-up: ${warmup} s of dnsperf per server, discarded (JIT for meridian dns; the same for Knot)"
if [ "$warmup" -gt 0 ]; then
  run meridian "$warmup" warmup
  run knot "$warmup" warmup
fi
measured=$(date -u '+%Y-%m-%d %H:%M UTC')
order=()
for ((r = 1; r <= rounds; r++)); do
  if ((r % 2)); then order+=("meridian $r" "knot $r"); else order+=("knot $r" "meridian $r"); fi
done
for o in "${order[@]}"; do
  set -- $o
  run "$1" "$duration" "round$2"
done
# Syscalls per query, counted by perf in one extra, unmeasured run per server (tracing slows
# syscalls a little, so it stays out of the measured runs). Skipped without a working perf.
syscall_events=recvmsg,recvmmsg,recvfrom,sendto,sendmsg,sendmmsg,epoll_wait,epoll_pwait,epoll_pwait2
syscalls_ok=0
if [ "$syscall_probe" = 1 ] && command -v perf >/dev/null &&
  perf stat -e syscalls:sys_enter_sendmmsg -p "$knot_pid" -- sleep 0.1 >/dev/null 2>&1; then
  syscalls_ok=1
fi
probe_syscalls() {
  local name=$1 pid port dp out=$work/out/$1-syscalls ev
  pid=$(server_pid "$name") port=$(server_port "$name")
  ev=$(tr ',' '\n' <<<"$syscall_events" | sed 's/^/syscalls:sys_enter_/' | paste -sd, -)
  "${client_pin[@]}" dnsperf -s 127.0.0.1 -p "$port" -d "$work/queries.txt" -l 5 \
    -c "$clients" -q "$outstanding" -T "$client_cpus" >"$out.txt" 2>&1 &
  dp=$!
  pids+=("$dp")
  sleep 1
  perf stat -x, -e "$ev" -p "$pid" -o "$out.perf" -- sleep 3 >/dev/null 2>&1 || true
  wait "$dp" || die "dnsperf failed: $(tail -n 5 "$out.txt")"
  # queries answered in the 3 s counted: the run's rate times 3
  awk -F, -v qps="$(awk '/Queries per second:/ { print $4 }' "$out.txt")" '
    $3 ~ /^syscalls:sys_enter_/ { e = $3; sub(/^syscalls:sys_enter_/, "", e); c = $1 + 0
      if (e ~ /^recv/) recv[e] += c; else if (e ~ /^send/) send[e] += c; else wait += c }
    function list(a,   k, s) { s = ""; for (k in a) if (a[k] / n >= 0.005) s = s (s == "" ? "" : " + ") sprintf("%.2f %s", a[k] / n, k); return s == "" ? "0" : s }
    END { n = qps * 3; if (n <= 0) exit 1
      printf "recv=\"%s\"\nsend=\"%s\"\nwaits=%.2f\nper_query=%.2f\n", list(recv), list(send), wait / n,
        (tot(recv) + tot(send) + wait) / n }
    function tot(a,   k, t) { t = 0; for (k in a) t += a[k]; return t }' "$out.perf" >"$out.env" 2>/dev/null ||
    { rm -f "$out.env"; return 0; }
  say "$name: syscalls per query: $(tr '\n' ' ' <"$out.env")"
}
if [ "$syscalls_ok" = 1 ]; then
  probe_syscalls meridian
  probe_syscalls knot
elif [ "$syscall_probe" = 1 ]; then
  say "perf cannot count syscalls here (not installed, or not allowed): no syscall table"
fi
event_loops=$(grep -c '^multiThreadIoEv' "/proc/$meridian_pid/task/"*/comm 2>/dev/null | awk -F: '{s += $2} END {print s + 0}')
jvm_cpus=$("$JAVA_HOME/bin/jcmd" "$meridian_pid" VM.info 2>/dev/null |
  sed -n 's/.*CPU: total \([0-9]*\) (initial active \([0-9]*\)).*/\2 of \1/p' | head -n 1 || true)
jvm_gc=$("$JAVA_HOME/bin/jcmd" "$meridian_pid" VM.flags 2>/dev/null | grep -o 'Use[A-Za-z]*GC' | head -n 1 || true)
java_version=$("$JAVA_HOME/bin/java" -version 2>&1 | sed -n 's/.*Runtime Environment \(.*\)$/\1/p' | head -n 1)
knot_version=$(knotd -V 2>&1 | head -n 1)
# what the report needs, for --report-only
{
  for v in command measured before event_loops jvm_cpus jvm_gc java_version knot_version records \
    server_cpus client_cpus pinning clients outstanding duration warmup rounds services quiet_wait; do
    printf '%s=%q\n' "$v" "${!v}"
  done
  printf 'order=(%s)\n' "$(printf '%q ' "${order[@]}")"
} >"$work/run.env"
}

if [ "$report_only" = 1 ]; then
  [ -f "$work/run.env" ] || die "$work/run.env not found: --report-only needs the --work-dir of a finished run"
  # shellcheck source=/dev/null
  . "$work/run.env"
else
  measure
fi


# ---- 5. report ---------------------------------------------------------------------------------
# $1 = run (meridian-round1), $2 = variable of its .env
get() { (. "$work/out/$1.env" && eval "printf '%s' \"\$$2\""); }
num() { printf '%.0f' "$1" | sed -e ':a' -e 's/\([0-9]\)\([0-9]\{3\}\)\($\|,\)/\1,\2\3/' -e 'ta'; }
cpu_model=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)
dnsperf_version=$(sed -n 's/^Version //p' "$work/out/knot-round1.txt" | head -n 1)
# setup, quiet checks, warm-ups, measured runs (each may wait up to 5 s for lost answers), perf runs
minutes=$(((30 + 3 * (3 + 2 * rounds) + 2 * (warmup + 2) + 2 * rounds * (duration + 2) + 20 + 59) / 60))
sum_m=0 sum_k=0 cpu_m=0 cpu_k=0 ratios=() max_other=0 client_bound=0
for ((r = 1; r <= rounds; r++)); do
  qm=$(get "meridian-round$r" qps) qk=$(get "knot-round$r" qps)
  sum_m=$(calc '%.3f' "$sum_m + $qm") sum_k=$(calc '%.3f' "$sum_k + $qk")
  cpu_m=$(calc '%.3f' "$cpu_m + $(get "meridian-round$r" server_us_per_query)")
  cpu_k=$(calc '%.3f' "$cpu_k + $(get "knot-round$r" server_us_per_query)")
  ratios+=("$(calc '%.2f' "$qm / $qk")")
  for n in meridian knot; do
    o=$(get "$n-round$r" other_cores)
    max_other=$(calc '%.2f' "($o > $max_other ? $o : $max_other)")
    awk -v c="$(get "$n-round$r" client_cores)" -v n="$client_cpus" 'BEGIN{exit !(c != "n/a" && c + 0 >= 0.9 * n)}' && client_bound=1
  done
done
mean_m=$(calc '%.0f' "$sum_m / $rounds") mean_k=$(calc '%.0f' "$sum_k / $rounds")
ratio=$(calc '%.2f' "$mean_m / $mean_k")
ratio_range=$(printf '%s\n' "${ratios[@]}" | sort -n | sed -n '1p;$p' | paste -sd- - | sed 's/^\(.*\)-\1$/\1/')
{
  echo "## DNS: meridian dns vs Knot"
  echo
  echo "Measured $measured on $(nproc) CPUs ($cpu_model), Linux $(uname -r); JDK $java_version; $knot_version; dnsperf $dnsperf_version. Other processes kept $before of $(nproc) cores busy just before the run$([ "$quiet_wait" -gt 0 ] && echo ", and before each dnsperf run the script waited (up to $quiet_wait s) until they kept under 0.15 cores busy")."
  echo
  echo "Reproduce (about $minutes minutes after the build): \`$command\`"
  echo
  echo "- **Data.** A Meridian registry with $services ClusterIP services (\`svc-0\`..\`svc-$((services - 1))\`, namespace \`default\`, one port named \`http\`) and one headless service (\`headless\`, 3 ready instances); \`meridian dns\` follows it. Knot serves \`cluster.local\` from a zone file written from \`meridian dns\`'s own answers (dig), so both hold the same $records records: the SOA, an A and an SRV per ClusterIP service, the headless A set, its 3 per-instance A records and its SRV set. Before measuring, the script checks that both give the same answer and authority sections and rcodes to every distinct query of the file. TTL 5 s, no DNSSEC; Knot keeps no journal and never writes the zone file back."
  echo "- **Load.** dnsperf over UDP, without EDNS, loops over one file of 2,000 queries: 70% A of a ClusterIP service, 10% A of the headless service (3 records), 5% SRV of a ClusterIP service, 5% SRV of the headless service (3 records), 10% NXDOMAIN. \`-c $clients -q $outstanding -T $client_cpus\`, $duration s per run."
  echo "- **Pinning.** $pinning. Both servers run throughout; the one not being measured sits idle on the same CPU. The registry is pinned with dnsperf and is idle while measuring."
  echo "- **Warm-up.** One $warmup s dnsperf run per server first, discarded: it lets the JIT compile meridian dns's query path, and Knot gets the same. Then $rounds round(s), each measuring both servers; the order alternates, and round 1 starts with meridian."
  echo "- **Threads.** meridian dns had ${event_loops} event-loop thread(s) (\`multiThreadIoEventLoopGroup\`, one SO_REUSEPORT UDP socket each); the CLI leaves \`DnsConfig.threads\` at its default, \`availableProcessors()\`, which honours the affinity mask${jvm_cpus:+: the JVM saw $jvm_cpus CPUs active}${jvm_gc:+ and chose \`-XX:+$jvm_gc\`}. Knot had \`udp-workers: $server_cpus\`, \`tcp-workers: $server_cpus\` and \`background-workers: 1\`. The *busy threads* column lists threads that used more than 0.1 core during the run; Java truncates thread names to 15 characters there."
  echo
  echo "| server | run | QPS | avg latency ms | latency stddev ms | lost / sent | ÷ Knot, same round | server CPU µs / query: user + sys | CPU cores: server | dnsperf | other processes | busy threads (cores) |"
  echo "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|"
  for o in "${order[@]}"; do
    set -- $o
    run_id=$1-round$2
    (
      # shellcheck source=/dev/null
      . "$work/out/$run_id.env"
      kq=$(get "knot-round$2" qps)
      printf '| %s | round %s | %s | %.3f | %.3f | %s / %s | %.2f | %s: %s + %s | %s | %s | %s | %s |\n' \
        "$([ "$name" = meridian ] && echo "meridian dns" || echo "Knot")" "$2" "$(num "$qps")" \
        "$(calc '%.6f' "$avg * 1000")" "$(calc '%.6f' "$sd * 1000")" "$(num "$lost")" "$(num "$sent")" \
        "$(calc '%.4f' "$qps / $kq")" "$server_us_per_query" "$user_us_per_query" "$sys_us_per_query" \
        "$server_cores" "$client_cores" "$other_cores" \
        "$(cat "$work/out/$run_id.busy")"
    )
  done
  echo
  if [ -f "$work/out/meridian-syscalls.env" ] && [ -f "$work/out/knot-syscalls.env" ]; then
    echo "System calls per answered query, counted with \`perf stat -e 'syscalls:sys_enter_*'\` on the server for 3 s of an extra, unmeasured 5 s dnsperf run per server (tracing slows system calls, so it stays out of the measured runs):"
    echo
    echo "| server | system calls / query | receive | send | epoll waits |"
    echo "|---|---:|---|---|---:|"
    for n in meridian knot; do
      (
        # shellcheck source=/dev/null
        . "$work/out/$n-syscalls.env"
        printf '| %s | %s | %s | %s | %s |\n' "$([ "$n" = meridian ] && echo "meridian dns" || echo "Knot")" \
          "$per_query" "$recv" "$send" "$waits"
      )
    done
    echo
  fi
  echo "Response size in bytes (additional records) per kind of query, from dig without EDNS, as dnsperf asks:"
  echo
  echo "| query | meridian dns | Knot |"
  echo "|---|---:|---:|"
  while IFS='|' read -r kind mb ma kb ka; do
    echo "| $kind | $mb ($ma) | $kb ($ka) |"
  done <"$work/sizes.txt"
  echo
  echo "### Against the goal: ≥ 1.0× Knot's QPS"
  echo
  goal=misses
  awk -v r="$ratio" 'BEGIN{exit !(r >= 1.0)}' && goal=holds
  # round-to-round spread of each server's QPS, as ± half the range over the mean (in %)
  spread() {
    local r v lo="" hi=""
    for ((r = 1; r <= rounds; r++)); do
      v=$(get "$1-round$r" qps)
      if [ -z "$lo" ] || awk -v a="$v" -v b="$lo" 'BEGIN{exit !(a < b)}'; then lo=$v; fi
      if [ -z "$hi" ] || awk -v a="$v" -v b="$hi" 'BEGIN{exit !(a > b)}'; then hi=$v; fi
    done
    echo "$lo $hi $(calc '%.0f' "($hi - $lo) / 2 / $2 * 100")"
  }
  read -r lo_m hi_m sp_m < <(spread meridian "$mean_m")
  read -r lo_k hi_k sp_k < <(spread knot "$mean_k")
  noise=$(((sp_m > sp_k ? sp_m : sp_k) > 5 ? (sp_m > sp_k ? sp_m : sp_k) : 5))
  tie=""
  awk -v r="$ratio" -v n="$noise" 'BEGIN{exit !(r > 1 - n / 100 && r < 1 + n / 100)}' &&
    tie=", a tie given the ±$noise% spread between rounds"
  echo "- meridian dns **$goal**: on average over $rounds round(s), $(num "$mean_m") vs $(num "$mean_k") QPS, $ratio× Knot$tie; per round $ratio_range×."
  cpu_m=$(calc '%.2f' "$cpu_m / $rounds") cpu_k=$(calc '%.2f' "$cpu_k / $rounds")
  echo "- Server CPU per answered query (user + system, mean of the rounds): meridian dns $cpu_m µs, Knot $cpu_k µs, $(calc '%.2f' "$cpu_m / $cpu_k")× Knot's. At 100% of one CPU that would be about $(num "$(calc '%.0f' "1e6 / $cpu_m")") vs $(num "$(calc '%.0f' "1e6 / $cpu_k")") QPS (an extrapolation: batching changes the cost per query with the load)."
  echo
  echo "### What limits these numbers"
  echo
  # who set the rate: each server's CPU and dnsperf's, over the measured runs
  range() { # $1 = server, $2 = variable: "min–max" over the rounds
    local r v lo="" hi=""
    for ((r = 1; r <= rounds; r++)); do
      v=$(get "$1-round$r" "$2")
      [ "$v" != n/a ] || continue
      if [ -z "$lo" ] || awk -v a="$v" -v b="$lo" 'BEGIN{exit !(a < b)}'; then lo=$v; fi
      if [ -z "$hi" ] || awk -v a="$v" -v b="$hi" 'BEGIN{exit !(a > b)}'; then hi=$v; fi
    done
    if [ "$lo" = "$hi" ]; then echo "${lo:-n/a}"; else echo "$lo–$hi"; fi
  }
  limit() { # $1 = server: how its CPU relates to its rate
    local lo=${2%%–*}
    if awk -v c="$lo" -v n="$server_cpus" 'BEGIN{exit !(c >= 0.9 * n)}'; then
      echo "$3 used $2 cores of its $server_cpus CPU(s) in every run: its CPU was the limit"
    else
      echo "$3 used $2 cores of its $server_cpus CPU(s): it had CPU to spare in some runs, so dnsperf (or scheduling) set its rate there"
    fi
  }
  echo "- **What set the rate.** $(limit meridian "$(range meridian server_cores)" "meridian dns"). $(limit knot "$(range knot server_cores)" Knot). dnsperf used $(range meridian client_cores) cores of its $client_cpus CPU(s) against meridian dns and $(range knot client_cores) against Knot. *server CPU µs / query* (user and system time over answered queries) compares the servers' cost whatever the limit was."
  if [ "$client_bound" = 1 ]; then
    echo "- **dnsperf.** In at least one run dnsperf used at least 90% of its CPU(s), so it could not send faster. Where it did, a server's QPS is at most dnsperf's rate, and the QPS ratio understates the difference between the servers. Compare their CPU per query there instead (the second line above)."
  fi
  cm=0 ck=0 cn=0
  for ((r = 1; r <= rounds; r++)); do
    for n in meridian knot; do
      c=$(get "$n-round$r" client_cores)
      [ "$c" != n/a ] || continue
      v=$(calc '%.4f' "$c / $(get "$n-round$r" qps) * 1e6")
      if [ "$n" = meridian ]; then cm=$(calc '%.4f' "$cm + $v"); else ck=$(calc '%.4f' "$ck + $v"); fi
      cn=$((cn + 1))
    done
  done
  if [ "$cn" = $((2 * rounds)) ]; then
    echo "- **dnsperf's own cost differs by server.** dnsperf used $(calc '%.2f' "$cm / $rounds") µs of CPU per answered query against meridian dns and $(calc '%.2f' "$ck / $rounds") µs against Knot (mean of the rounds). When dnsperf's CPU is the limit, the server whose answers cost dnsperf less gets more QPS; how answers are batched (system calls table) and their size may play a part."
  fi
  m_resp=$(get meridian-round1 resp) k_resp=$(get knot-round1 resp)
  differ=$(awk -F'|' '$2 != $4 || $3 != $5 { printf "%s%s", (n++ ? "; " : ""), $1 }' "$work/sizes.txt")
  echo "- **Answers are not byte-identical.** The answer and authority records and the rcodes are the same (checked), and dnsperf saw $m_resp bytes per response on average from meridian dns, $k_resp from Knot.${differ:+ They differ for: $differ (table above).} Knot adds the SRV targets it holds as additional A records (RFC 2782); meridian dns sends no additional records. Knot returns a set's records in a fixed order; meridian dns rotates them from a random start on every answer."
  m_lost=0 k_lost=0 m_sent=0 k_sent=0 drops=0
  for ((r = 1; r <= rounds; r++)); do
    m_lost=$((m_lost + $(get "meridian-round$r" lost))) k_lost=$((k_lost + $(get "knot-round$r" lost)))
    m_sent=$((m_sent + $(get "meridian-round$r" sent))) k_sent=$((k_sent + $(get "knot-round$r" sent)))
    drops=$((drops + $(get "meridian-round$r" rcvbuf_drops) + $(get "knot-round$r" rcvbuf_drops)))
  done
  echo "- **Lost queries.** dnsperf lost $(num "$m_lost") of $(num "$m_sent") queries to meridian dns and $(num "$k_lost") of $(num "$k_sent") to Knot over the measured runs. Meanwhile the kernel counted $(num "$drops") UDP datagrams dropped because a socket's receive buffer was full (\`RcvbufErrors\` in \`/proc/net/snmp\`, whole machine). Drops come in bursts: $outstanding queries are outstanding while the server is off the CPU (JIT, GC, another process)."
  echo "- **JVM.** meridian dns runs on the JVM's defaults for a 1-CPU process (${jvm_gc:-the collector ergonomics pick}, default heap). The warm-up run compiles the query path before measuring; the JIT and GC run on the same CPU as the event loop."
  if awk -v o="$max_other" 'BEGIN{exit !(o > 0.2)}'; then
    echo "- **Other work on this machine.** Up to $max_other cores went to other processes during a run (column *other processes*; the idle peer server and the registry are counted there too). This is a shared machine, so these figures are noisier than usual."
  fi
  if [ "$rounds" -gt 1 ]; then
    echo "- **Noise.** Across the rounds, meridian dns answered $(num "$lo_m")–$(num "$hi_m") QPS (±$sp_m%) and Knot $(num "$lo_k")–$(num "$hi_k") (±$sp_k%), with the same pinning and other processes at most $max_other cores busy; a 2-core VM shares its host's CPUs and caches. A ratio within that spread (and at least ±5%) is a tie."
  else
    echo "- **Noise.** One round only: repeated rounds on a shared 2-core VM differ by 5–15%. Treat ratios within that as a tie."
  fi
} >"$work/report.md"

cat "$work/report.md"
if [ "$docs" != - ]; then
  heading="## DNS: meridian dns vs Knot"
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
