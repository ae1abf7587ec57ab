#!/usr/bin/env bash
# stress/run-long.sh: the release run of the stress module.
#
#   1. the jcstress protocol suite in its long mode (default: jcstress "-m default", every VM
#      configuration jcstress detects, split per-actor compilation), judged by JcstressVerdict:
#      every real test 0 forbidden outcomes, every broken control > 0;
#   2. the start/stop stress run (StressMain) for STRESS_SECONDS (default 1800).
#
# Environment: MODE (jcstress preset: quick, default, tough, stress), JCSTRESS_ARGS (extra
# jcstress options, e.g. "-time 500"), STRESS_SECONDS, STRESS_VTS, SKIP_JCSTRESS=1, SKIP_STRESS=1,
# OUT (output directory, default stress/target/long-run). Record the printed results in docs/STRESS.md.
set -euo pipefail
ROOT=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd -P)
JDK=$("$ROOT/scripts/find-jdk.sh")
JAVA="$JDK/bin/java"
FLAGS=$(sed -n 's:.*<loomtracer.jvmFlags>\(.*\)</loomtracer.jvmFlags>.*:\1:p' "$ROOT/pom.xml" | head -n 1)
MODE=${MODE:-default}
OUT=${OUT:-$ROOT/stress/target/long-run}
JAR="$ROOT/stress/target/jcstress.jar"

if [[ ! -f "$JAR" || -n "$(find "$ROOT/stress/src" "$ROOT/loom-tracer/src/main" -newer "$JAR" -type f -print -quit)" ]]; then
  echo "run-long: building the stress module" >&2
  (cd "$ROOT" && JAVA_HOME="$JDK" mvn -q -B -pl loom-tracer,carrier-hooks,stress -am install -DskipTests) >&2
fi
mkdir -p "$OUT"
# Run from copies, so that a rebuild while this runs cannot change the code under test.
cp "$JAR" "$OUT/jcstress.jar"
echo "run-long: commit $(git -C "$ROOT" rev-parse --short HEAD), $(date -u +%FT%TZ), $(nproc) CPUs, $("$JAVA" -version 2>&1 | head -n 1)"

status=0
if [[ "${SKIP_JCSTRESS:-0}" != 1 ]]; then
  rm -rf "$OUT/jcstress" && mkdir -p "$OUT/jcstress"
  start=$(date +%s)
  # shellcheck disable=SC2086
  (cd "$OUT/jcstress" && "$JAVA" --enable-native-access=ALL-UNNAMED -Xmx1g -jar "$OUT/jcstress.jar" \
      -t 'dev\.loomtracer\.stress\.engine\..*' -m "$MODE" -jvmArgsPrepend "$FLAGS" ${JCSTRESS_ARGS:-} -r results \
      > jcstress.log 2>&1) || true   # jcstress exits non-zero because the broken controls fail; judged below
  result=$(ls "$OUT"/jcstress/jcstress-results-*.bin.gz 2>/dev/null | head -n 1)
  [[ -n "$result" ]] || { echo "run-long: jcstress wrote no result file; see $OUT/jcstress/jcstress.log"; exit 1; }
  echo "run-long: jcstress -m $MODE ${JCSTRESS_ARGS:-} took $(( $(date +%s) - start )) s"
  "$JAVA" -cp "$OUT/jcstress.jar" dev.loomtracer.stress.JcstressVerdict "$result" | tee "$OUT/jcstress-verdict.txt" || status=1
fi
if [[ "${SKIP_STRESS:-0}" != 1 ]]; then
  # shellcheck disable=SC2086
  "$JAVA" $FLAGS -Xmx1g -cp "$OUT/jcstress.jar" dev.loomtracer.stress.StressMain \
      --seconds "${STRESS_SECONDS:-1800}" --vts "${STRESS_VTS:-2000}" --go-every 25 --dir "$OUT/traces" \
      | tee "$OUT/stress.log" || status=1
fi
exit $status
