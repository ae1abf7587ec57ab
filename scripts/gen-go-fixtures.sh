#!/usr/bin/env bash
# Regenerates the Go-written trace fixtures of the parser tests (committed, so tests never need
# to run this): loom-tracer/src/test/resources/go-traces/
#   basic.trace, cpu.trace  written by the Go runtime running loom-tracer/src/test/go
#   golden/NAME.trace + NAME.expect  Go's own parser test cases (src/internal/trace/testdata/tests,
#                     BSD licence, The Go Authors) converted to bytes with Go's gotraceraw; .expect
#                     holds "SUCCESS" or "FAILURE <regexp>" as in the .test file.
# Needs Go 1.23 ($LOOMTRACE_GO, else /usr/lib/go-1.23/bin/go); no network.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
go=${LOOMTRACE_GO:-/usr/lib/go-1.23/bin/go}
[[ -x "$go" ]] || { echo "gen-go-fixtures: no go at $go (set LOOMTRACE_GO)" >&2; exit 1; }
export GOCACHE=${GOCACHE:-/tmp/loomtrace-gocache} GOPATH=${GOPATH:-/tmp/loomtrace-gopath}
export GOFLAGS=-mod=mod GOTOOLCHAIN=local CGO_ENABLED=0
out="$root/loom-tracer/src/test/resources/go-traces"
mkdir -p "$out/golden"

cd "$root/loom-tracer/src/test/go"
"$go" run . -mode=basic -phases=3 -o "$out/basic.trace"
"$go" run . -mode=cpu -o "$out/cpu.trace"

goroot=$("$go" env GOROOT)
tests="$goroot/src/internal/trace/testdata/tests"
cd "$goroot/src/internal/trace/testdata"
for t in "$tests"/go122-*.test; do
  name=$(basename "$t" .test)
  # Section "-- expect --" is the first line after the marker; "-- trace --" runs to the end.
  awk '/^-- expect --/{getline; print; exit}' "$t" > "$out/golden/$name.expect"
  awk '/^-- trace --/{f=1; next} f' "$t" | "$go" run ./cmd/gotraceraw text2bytes > "$out/golden/$name.trace"
done
ls -l "$out" "$out/golden"
