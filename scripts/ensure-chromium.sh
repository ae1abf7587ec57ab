#!/usr/bin/env bash
# Makes sure a headless-capable Chromium is available (the report's browser tests load the HTML
# reports in it) and prints the path of its binary on stdout -- and nothing else.
#
#   - If $LOOMTRACE_CHROMIUM is set and executable, that is the answer.
#   - Else if /usr/bin/chromium exists, that is the answer.
#   - Else installs Debian's chromium package (scripts/apt-install.sh), as root or through sudo,
#     and prints /usr/bin/chromium.
#
# Idempotent: when Chromium is already there it only prints the path. Progress and errors go to
# stderr. Exits non-zero with a message saying what to do when it cannot provide Chromium.
set -euo pipefail

CHROMIUM_DEFAULT=/usr/bin/chromium
CHROMIUM_PACKAGE=chromium

say() { echo "ensure-chromium: $*" >&2; }
die() {
  say "error: $*"
  say "Chromium is needed for the HTML report's browser tests. Install it yourself"
  say "(Debian: apt-get install ${CHROMIUM_PACKAGE}) or point LOOMTRACE_CHROMIUM at a chromium or chrome binary."
  exit 1
}

find_chromium() {
  if [[ -n "${LOOMTRACE_CHROMIUM:-}" ]]; then
    if [[ -x "$LOOMTRACE_CHROMIUM" ]]; then
      printf '%s\n' "$LOOMTRACE_CHROMIUM"
      return 0
    fi
    say "LOOMTRACE_CHROMIUM=$LOOMTRACE_CHROMIUM is not executable; falling back to $CHROMIUM_DEFAULT"
  fi
  if [[ -x "$CHROMIUM_DEFAULT" ]]; then
    printf '%s\n' "$CHROMIUM_DEFAULT"
    return 0
  fi
  return 1
}

# shellcheck source=ensure-lib.sh
source "$(dirname "$0")/ensure-lib.sh"
ensure_found chromium find_chromium

say "Chromium not found at $CHROMIUM_DEFAULT; installing ${CHROMIUM_PACKAGE}"
"$(dirname "$0")/apt-install.sh" Chromium "$CHROMIUM_PACKAGE" || die "could not install ${CHROMIUM_PACKAGE}."
[[ -x "$CHROMIUM_DEFAULT" ]] || die "${CHROMIUM_PACKAGE} was installed but $CHROMIUM_DEFAULT is missing."
say "installed $("$CHROMIUM_DEFAULT" --version 2>/dev/null || echo chromium)"
printf '%s\n' "$CHROMIUM_DEFAULT"
