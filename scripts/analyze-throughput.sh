#!/usr/bin/env bash
# Records `loomtrace analyze`'s whole-process throughput (docs/PERFORMANCE.md, "Analysis
# throughput"): writes a BigTrace (loom-tracer's test-jar: BigTrace.write(file, SIZE MiB, 2
# carriers, batches of 256), through the engine, with the engine's JVM flags), then runs
#   java -Xmx512m -cp loom-tracer.jar:HdrHistogram.jar dev.loomtracer.cli.Analyze --json TRACE
# RUNS times under /usr/bin/time, prints per run CPU (user+sys) and wall time, MB/s of each, M
# events/s and peak RSS, checks that every run printed the same JSON, and deletes the trace.
#
# usage: scripts/analyze-throughput.sh [SIZE_MIB=300] [RUNS=3] [DIR=/tmp]
# ANALYZE_JAVA_OPTS adds JVM options to the measured command (e.g. -XX:+UseParallelGC to compare
# collectors: docs/PERFORMANCE.md); unset, the command is exactly the one above.
# Needs the jars built first: ./loomtrace build (or mvn -B -DskipTests install). Run it on an idle
# machine: CPU time grows with the load on shared cores, and wall time measures the other jobs.
set -euo pipefail
ROOT=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd -P)
SIZE=${1:-300}; RUNS=${2:-3}; DIR=${3:-/tmp}
JDK=$("$ROOT/scripts/find-jdk.sh")
JAVA="$JDK/bin/java"
JAR="$ROOT/loom-tracer/target/loom-tracer-0.1.0-SNAPSHOT.jar"
TESTS="$ROOT/loom-tracer/target/loom-tracer-0.1.0-SNAPSHOT-tests.jar"
HDR=$(find "$HOME/.m2/repository/org/hdrhistogram/HdrHistogram" -name 'HdrHistogram-*.jar' | sort | tail -n 1)
for f in "$JAR" "$TESTS" "$HDR"; do
  [[ -f "$f" ]] || { echo "analyze-throughput: $f is missing: run ./loomtrace build first" >&2; exit 1; }
done
FLAGS=$(sed -n 's:.*<loomtracer.jvmFlags>\(.*\)</loomtracer.jvmFlags>.*:\1:p' "$ROOT/pom.xml" | head -n 1)
WORK=$(mktemp -d "$DIR/analyze-throughput.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
TRACE="$WORK/big.trace"
cat > "$WORK/WriteBigTrace.java" <<'JAVA'
public class WriteBigTrace {
    public static void main(String[] a) throws Exception {
        var w = dev.loomtracer.testing.BigTrace.write(java.nio.file.Path.of(a[0]), Long.parseLong(a[1]) << 20, 2, 256);
        System.out.println("wrote " + w);
    }
}
JAVA
echo "analyze-throughput: $(date -u +%FT%TZ), $(nproc) cores, load:$(uptime | sed 's/.*load average://'), $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?'), JVM options: -Xmx512m ${ANALYZE_JAVA_OPTS:-}"
# shellcheck disable=SC2086 # FLAGS is a list of JVM options
"$JAVA" $FLAGS --sun-misc-unsafe-memory-access=allow -Xmx1g -cp "$JAR:$TESTS" "$WORK/WriteBigTrace.java" "$TRACE" "$SIZE"
BYTES=$(stat -c %s "$TRACE")
for i in $(seq "$RUNS"); do
  # shellcheck disable=SC2086 # ANALYZE_JAVA_OPTS is a list of JVM options
  /usr/bin/time -f '%U %S %e %M' -o "$WORK/time" "$JAVA" ${ANALYZE_JAVA_OPTS:-} -Xmx512m -cp "$JAR:$HDR" dev.loomtracer.cli.Analyze --json "$TRACE" > "$WORK/out$i.json"
  read -r U S E M < "$WORK/time"
  EVENTS=$(grep -o '"events": *[0-9]*' "$WORK/out$i.json" | head -n 1 | grep -o '[0-9]*$')
  awk -v b="$BYTES" -v u="$U" -v s="$S" -v e="$E" -v m="$M" -v n="$EVENTS" -v i="$i" 'BEGIN {
    c = u + s
    printf "run %d: %d bytes, %d events; CPU %.1f s (%.1f user + %.1f sys) = %.1f MB/s, %.2f M events/s; wall %.1f s = %.1f MB/s, %.2f M events/s; peak RSS %d MB\n",
      i, b, n, c, u, s, b / 1e6 / c, n / 1e6 / c, e, b / 1e6 / e, n / 1e6 / e, m / 1024 }'
  if [[ $i -gt 1 ]] && ! cmp -s "$WORK/out1.json" "$WORK/out$i.json"; then
    echo "analyze-throughput: run $i printed other JSON than run 1" >&2
    exit 1
  fi
done
echo "analyze-throughput: the $RUNS JSON outputs are identical; load:$(uptime | sed 's/.*load average://')"
