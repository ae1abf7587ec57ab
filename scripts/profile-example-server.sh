#!/usr/bin/env bash
# Profiles the example server's CPU with JFR while tracing is off, streamed, and flight-recorded,
# phase by phase, so that the share of the server's CPU in each part of the tracer can be read per
# configuration (docs/PERFORMANCE.md, "Where a traced server's CPU goes"). Not a test, and not a
# timing harness: it measures where CPU goes, which survives a shared machine far better than
# throughput; the cost harness is `loomtrace example-server harness`.
#
#   scripts/profile-example-server.sh OUT_DIR [ROUNDS] [SECONDS] [CONFIGS]
#
# CONFIGS: comma-separated, each `off`, `trace:STACKS` or `flight:STACKS` (STACKS: off, on-block,
# every-block, all); default off,trace:off,trace:on-block. One server JVM under the agent (as
# `harness --agent auto`), with a continuous JFR recording (jdk.CPUTimeSample every 1 ms of a
# thread's CPU, jdk.ExecutionSample every 1 ms, allocation samples; -XX:+DebugNonSafepoints so that
# samples land on the right inlined frame). After a warm-up round, ROUNDS rounds run every
# configuration for SECONDS of load (32 connections, GET /work), in an order rotated per round;
# OUT_DIR/phases.txt gets one line per measured load ("CONFIG START_MS END_MS", epoch
# milliseconds, trimmed by 0.5 s at the start and 0.2 s at the end) and OUT_DIR/server.jfr the
# recording. Read them with: java scripts/JfrPhaseShares.java OUT_DIR/server.jfr OUT_DIR/phases.txt
# Invariant: the server runs only as long as this script; it is stopped on exit, however it exits.
set -euo pipefail

ROOT=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd -P)
OUT=${1:?usage: profile-example-server.sh OUT_DIR [ROUNDS] [SECONDS] [CONFIGS]}
ROUNDS=${2:-3}
SECS=${3:-10}
IFS=',' read -r -a CONFIGS <<<"${4:-off,trace:off,trace:on-block}"
JDK=$("$ROOT/scripts/find-jdk.sh")
"$ROOT/loomtrace" build >/dev/null
CP=$(cat "$ROOT/target/loomtrace.classpath")
AGENT=$(ls -t "$ROOT"/carrier-hooks/target/carrier-hooks-*-agent.jar | head -n 1)
read -r -a FLAGS <<<"$(sed -n 's:.*<loomtracer.jvmFlags>\(.*\)</loomtracer.jvmFlags>.*:\1:p' "$ROOT/pom.xml" | head -n 1)"
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd -P)

"$JDK/bin/jfr" configure --input profile jdk.CPUTimeSample#enabled=true jdk.CPUTimeSample#throttle=1ms \
  jdk.ExecutionSample#period=1ms jdk.ObjectAllocationSample#throttle=500/s \
  jdk.ExceptionStatistics#enabled=false jdk.JavaExceptionThrow#enabled=false jdk.JavaErrorThrow#enabled=false \
  --output "$OUT/profile.jfc" >/dev/null

"$JDK/bin/java" "${FLAGS[@]}" -Xmx2g "-javaagent:$AGENT" -XX:+UnlockDiagnosticVMOptions -XX:+DebugNonSafepoints \
  "-XX:StartFlightRecording=name=profile,settings=$OUT/profile.jfc" -cp "$AGENT:$CP" \
  dev.loomtracer.examples.ExampleServer --port 0 --debug >"$OUT/server.out" 2>"$OUT/server.err" &
SERVER=$!
trap 'kill $SERVER 2>/dev/null; wait $SERVER 2>/dev/null || true' EXIT
PORT=""
for _ in $(seq 100); do
  PORT=$(sed -n 's/^example-server: listening on http:\/\/127.0.0.1:\([0-9]*\).*/\1/p' "$OUT/server.out")
  [[ -n "$PORT" ]] && break
  sleep 0.3
done
[[ -n "$PORT" ]] || { echo "profile: the server did not start; see $OUT/server.err" >&2; exit 1; }

load() {
  "$JDK/bin/java" "${FLAGS[@]}" -cp "$CP" dev.loomtracer.examples.ExampleServer load --port "$PORT" \
    --seconds "$1" --connections 32 --path /work | sed -n 's/^\([0-9]* requests in .*\)/\1/p'
}
now_ms() { date +%s%3N; }

echo "profile: server pid $SERVER on 127.0.0.1:$PORT; warm-up: $(load 8)"
: >"$OUT/phases.txt"
for ((r = -1; r < ROUNDS; r++)); do
  for ((k = 0; k < ${#CONFIGS[@]}; k++)); do
    c=${CONFIGS[$(( (k + (r < 0 ? 0 : r)) % ${#CONFIGS[@]} ))]}
    kind=${c%%:*}
    stacks=${c#*:}
    reader=""
    case "$kind" in
      trace) curl -sS -o /dev/null "http://127.0.0.1:$PORT/debug/trace?seconds=$((SECS + 2))&stacks=$stacks" & reader=$!; sleep 0.4 ;;
      flight) curl -sS -o /dev/null -X POST "http://127.0.0.1:$PORT/debug/flight/start?stacks=$stacks"; sleep 0.2 ;;
      off) ;;
      *) echo "profile: unknown configuration $c" >&2; exit 2 ;;
    esac
    start=$(now_ms)
    result=$(load "$SECS")
    end=$(now_ms)
    [[ -n "$reader" ]] && wait "$reader"
    if [[ "$kind" == flight ]]; then
      curl -sS -o /dev/null "http://127.0.0.1:$PORT/debug/flight"
      curl -sS -o /dev/null -X POST "http://127.0.0.1:$PORT/debug/flight/stop"
    fi
    if ((r >= 0)); then
      echo "$c $((start + 500)) $((end - 200))" >>"$OUT/phases.txt"
      echo "round $((r + 1)) $c: $result"
    fi
  done
done
"$JDK/bin/jcmd" "$SERVER" JFR.dump name=profile "filename=$OUT/server.jfr" >/dev/null
echo "profile: wrote $OUT/server.jfr and $OUT/phases.txt; read them with: java scripts/JfrPhaseShares.java $OUT/server.jfr $OUT/phases.txt"
