#!/usr/bin/env bash
# Meridian's registry vs etcd on this machine: acknowledged (fsynced) writes per second at 1 and 64
# clients (HTTP API, embedded store alone, etcd via jetcd), then change -> watch event latency
# with 1,000 watchers on each. Prints a Markdown report and replaces the registry section of
# docs/benchmarks.md. A full run takes about 3 minutes after the build. It prints figures; it never
# passes or fails on speed (exit 0 = it measured, 1 = it could not, 2 = bad arguments).
#
#   meridian-bench/run-registry-bench.sh                       # full run, defaults below
#   meridian-bench/run-registry-bench.sh --duration 5s --watchers 200 --docs -   # quick, no docs
#
# Options (all optional; later ones win): --duration 10s (measured per write run), --warmup 3s,
# --concurrency 1,64, --watchers 1000, --changes 500, --rate 50, --watch-warmup 500,
# --jit-warmup 5s, --quiet-wait 5s, --client-threads 2, --parts writes,watch,
# --targets http,store,etcd, --work-dir DIR (kept; default a temp dir, deleted), --docs FILE|-,
# --registry-jvm-arg OPT (repeatable; e.g. a JFR recording), --etcd PATH.
#
# Traffic goes to 127.0.0.1 only. etcd and the registry run as child processes with their own
# data dirs; they are stopped at the end, on failure and on Ctrl-C.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

etcd_bin=${ETCD:-$(command -v etcd || true)}
if [ -z "$etcd_bin" ] || [ ! -x "$etcd_bin" ]; then
  echo "run-registry-bench: etcd is not installed; install it with: apt-get install etcd-server" >&2
  exit 1
fi

if [ -f .ci/find-java ]; then
  # shellcheck source=/dev/null
  . .ci/find-java
  meridian_find_java || exit 1
  java_home=$MERIDIAN_JAVA_HOME
else
  # The same order as .ci/find-java: JAVA_HOME when it is a JDK >= 21, else the newest in /usr/lib/jvm.
  java_major() { "$1/bin/java" -version 2>&1 | sed -n 's/.*version "\(1\.\)\{0,1\}\([0-9]*\).*/\2/p' | head -n 1; }
  java_home=""
  if [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/javac" ] && [ "$(java_major "$JAVA_HOME")" -ge 21 ] 2>/dev/null; then
    java_home=$JAVA_HOME
  else
    best=0
    for d in /usr/lib/jvm/*; do
      [ -x "$d/bin/javac" ] || continue
      m=$(java_major "$d")
      if [ -n "$m" ] && [ "$m" -ge 21 ] && [ "$m" -gt "$best" ]; then best=$m java_home=$d; fi
    done
  fi
  if [ -z "$java_home" ]; then
    echo "run-registry-bench: no JDK 21 or newer found (set JAVA_HOME, or install one in /usr/lib/jvm)" >&2
    exit 1
  fi
fi
export JAVA_HOME=$java_home

echo "run-registry-bench: building with $JAVA_HOME" >&2
./mvnw -B -q -DskipTests -pl meridian-bench -am install
classpath_file=meridian-bench/target/registry-bench.classpath
./mvnw -B -q -pl meridian-bench dependency:build-classpath -Dmdep.outputFile="$root/$classpath_file" >/dev/null

exec "$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED \
  -cp "meridian-bench/target/classes:$(cat "$classpath_file")" \
  io.meridian.bench.registry.RegistryBench \
  --etcd "$etcd_bin" \
  --docs "$root/docs/benchmarks.md" \
  --command "meridian-bench/run-registry-bench.sh${*:+ $*}" \
  "$@"
