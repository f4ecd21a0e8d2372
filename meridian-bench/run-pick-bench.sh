#!/usr/bin/env bash
# Client-side pick() cost: every Meridian policy (round_robin, weighted_round_robin, random,
# least_request, ring_hash, maglev) at 10, 100 and 1,000 endpoints next to grpc-java's own
# round_robin picker, measured by JMH with -prof gc (PickBenchmark, GrpcRoundRobinBenchmark).
# Prints a Markdown table (ns/op, B/op, ratio to grpc) and replaces the "## Client-side pick()"
# section of docs/benchmarks.md. The default config takes about 4 minutes on 2 cores after the
# build. It prints figures; it never passes or fails on speed (exit 0 = it measured, 1 = it could
# not, 2 = bad arguments).
#
#   meridian-bench/run-pick-bench.sh                                           # full run
#   meridian-bench/run-pick-bench.sh --endpoints 100 --iterations 2 --docs -   # quick, no docs
#
# Options (all optional): --forks 1, --warmup-iterations 3, --warmup-time 1s, --iterations 5,
# --time 1s, --threads 1, --endpoints 10,100,1000, --policies round_robin,...,maglev (all six),
# --out DIR (JMH's JSON; default meridian-bench/target/pick-bench), --docs FILE|- (default this
# repository's docs/benchmarks.md; - prints only), --build (rebuild even if the classes look
# current), --report-only (no JMH run: render the JSON already in --out).
set -euo pipefail
script=$0
command="meridian-bench/run-pick-bench.sh${*:+ $*}"
caller=$PWD
root=$(cd "$(dirname "$0")/.." && pwd)
usage() { sed -n '2,/^set -euo/p' "$script" | sed '$d; s/^# \{0,1\}//' >&2; exit 2; }

forks=1 wi=3 w=1s iterations=5 time=1s threads=1 endpoints=10,100,1000
policies=round_robin,weighted_round_robin,random,least_request,ring_hash,maglev
out=$root/meridian-bench/target/pick-bench docs=$root/docs/benchmarks.md build=0 report_only=0
while [ $# -gt 0 ]; do
  case $1 in
    --build) build=1; shift; continue ;;
    --report-only) report_only=1; shift; continue ;;
    -h | --help) usage ;;
    --forks | --warmup-iterations | --warmup-time | --iterations | --time | --threads | \
      --endpoints | --policies | --out | --docs)
      [ $# -ge 2 ] || { echo "run-pick-bench: $1 needs a value" >&2; usage; } ;;
    *) echo "run-pick-bench: unknown option $1" >&2; usage ;;
  esac
  case $1 in
    --forks) forks=$2 ;;
    --warmup-iterations) wi=$2 ;;
    --warmup-time) w=$2 ;;
    --iterations) iterations=$2 ;;
    --time) time=$2 ;;
    --threads) threads=$2 ;;
    --endpoints) endpoints=$2 ;;
    --policies) policies=$2 ;;
    --out) case $2 in /*) out=$2 ;; *) out=$caller/$2 ;; esac ;;
    --docs) case $2 in - | /*) docs=$2 ;; *) docs=$caller/$2 ;; esac ;;
  esac
  shift 2
done
cd "$root"

# shellcheck source=/dev/null
. .ci/find-java
meridian_find_java || exit 1
export JAVA_HOME=$MERIDIAN_JAVA_HOME

classes=meridian-bench/target/classes
classpath_file=meridian-bench/target/pick-bench.classpath
stamp=$classes/META-INF/BenchmarkList
if [ "$build" = 1 ] || [ ! -f "$stamp" ] || [ ! -f "$classpath_file" ] ||
  [ -n "$(find pom.xml meridian-bench/pom.xml meridian-balancer/pom.xml meridian-bench/src/main \
    meridian-balancer/src/main -newer "$stamp" -print -quit)" ]; then
  echo "run-pick-bench: building with $JAVA_HOME" >&2
  ./mvnw -B -q -DskipTests -pl meridian-bench -am install
  ./mvnw -B -q -pl meridian-bench dependency:build-classpath \
    -Dmdep.outputFile="$root/$classpath_file" >/dev/null
fi
cp="$classes:$(cat "$classpath_file")"

# pick(hash) differs from pick() only for the hash policies.
hash_policies=$(tr ',' '\n' <<<"$policies" | grep -xE 'ring_hash|maglev' | paste -sd, - || true)
# CPU time of the whole machine (all CPUs, jiffies): busy and total.
cpu_times() { awk '/^cpu /{t=0; for(i=2;i<=NF;i++) t+=$i; print t-$5-$6, t; exit}' /proc/stat; }
mkdir -p "$out"
if [ "$report_only" = 0 ]; then
  rm -f "$out/pick.json" "$out/pick-hash.json" "$out/run.env"
  measured=$(date -u '+%Y-%m-%d %H:%M UTC')
  read -r busy0 total0 < <(cpu_times)
  jmh=(-f "$forks" -wi "$wi" -w "$w" -i "$iterations" -r "$time" -t "$threads" -prof gc
    -p endpoints="$endpoints")
  "$JAVA_HOME/bin/java" -cp "$cp" org.openjdk.jmh.Main \
    '\.PickBenchmark\.pick$' '\.GrpcRoundRobinBenchmark\.pick$' -p policy="$policies" \
    "${jmh[@]}" -rf json -rff "$out/pick.json" >&2
  if [ -n "$hash_policies" ]; then
    "$JAVA_HOME/bin/java" -cp "$cp" org.openjdk.jmh.Main '\.PickBenchmark\.pickHash$' \
      -p policy="$hash_policies" "${jmh[@]}" -rf json -rff "$out/pick-hash.json" >&2
  fi
  read -r busy1 total1 < <(cpu_times)
  busy=$(awk -v b="$((busy1 - busy0))" -v t="$((total1 - total0))" -v n="$(nproc)" \
    'BEGIN{printf "%.2f of %d", (t > 0 ? b / t * n : 0), n}')
  printf 'measured=%q\nbusy=%q\n' "$measured" "$busy" >"$out/run.env"
fi
measured="(time not recorded)" busy=""
# shellcheck source=/dev/null
if [ -f "$out/run.env" ]; then . "$out/run.env"; fi
inputs=("$out/pick.json")
if [ -f "$out/pick-hash.json" ]; then inputs+=("$out/pick-hash.json"); fi
exec "$JAVA_HOME/bin/java" -cp "$cp" io.meridian.bench.balancer.PickReport \
  --docs "$docs" --command "$command" --measured "$measured" ${busy:+--busy "$busy"} "${inputs[@]}"
