#!/usr/bin/env bash
# Makes sure Go >= 1.23 is available (Go's trace parser is the independent judge of the traces
# this project writes) and prints the path of the go binary on stdout -- and nothing else.
#
#   - If $LOOMTRACE_GO is set and is a go >= 1.23, that is the answer.
#   - Else if /usr/lib/go-1.23/bin/go exists, that is the answer.
#   - Else installs Debian's golang-1.23-go from bookworm-backports (adding the backports apt
#     source if there is none), as root or through sudo, and prints /usr/lib/go-1.23/bin/go.
#
# Idempotent: when Go is already there it only prints the path. Progress and errors go to stderr.
# Exits non-zero with a message saying what to do when it cannot provide Go.
set -euo pipefail

GO_DEFAULT=/usr/lib/go-1.23/bin/go
GO_PACKAGE=golang-1.23-go
BACKPORTS_LIST=/etc/apt/sources.list.d/bookworm-backports.list
BACKPORTS_LINE="deb http://deb.debian.org/debian bookworm-backports main"

say() { echo "ensure-go: $*" >&2; }
die() {
  say "error: $*"
  say "Go >= 1.23 is needed to check traces (go tool trace -d=1). Install it yourself, e.g."
  say "  apt-get install -t bookworm-backports ${GO_PACKAGE}   (Debian 12, with bookworm-backports enabled)"
  say "or point LOOMTRACE_GO at a go binary >= 1.23."
  exit 1
}

# True if $1 is an executable go whose version is >= 1.23.
is_go123() {
  local go="$1" v major minor
  [[ -n "$go" && -x "$go" ]] || return 1
  # GOTOOLCHAIN=local: never let `go` try to download another toolchain.
  v=$(GOTOOLCHAIN=local "$go" env GOVERSION 2>/dev/null) || return 1   # e.g. go1.23.5
  v=${v#go}
  major=${v%%.*}
  minor=${v#*.}; minor=${minor%%[!0-9]*}
  [[ "$major" =~ ^[0-9]+$ && "$minor" =~ ^[0-9]+$ ]] || return 1
  (( major > 1 || (major == 1 && minor >= 23) ))
}

find_go() {
  if [[ -n "${LOOMTRACE_GO:-}" ]]; then
    if is_go123 "$LOOMTRACE_GO"; then
      printf '%s\n' "$LOOMTRACE_GO"
      return 0
    fi
    say "LOOMTRACE_GO=$LOOMTRACE_GO is not an executable go >= 1.23; falling back to $GO_DEFAULT"
  fi
  if is_go123 "$GO_DEFAULT"; then
    printf '%s\n' "$GO_DEFAULT"
    return 0
  fi
  return 1
}

install_go() {
  local codename=""
  if [[ -r /etc/os-release ]]; then
    codename=$(. /etc/os-release && printf '%s' "${VERSION_CODENAME:-}")
  fi
  say "Go 1.23 not found at $GO_DEFAULT; installing ${GO_PACKAGE}"

  local -a target=()
  if [[ "$codename" == "bookworm" ]]; then
    target=(-t bookworm-backports)
    if ! grep -rqsE '^[^#]*bookworm-backports' /etc/apt/sources.list /etc/apt/sources.list.d/; then
      say "adding the bookworm-backports apt source ($BACKPORTS_LIST)"
      local -a sudo=()
      [[ "$(id -u)" -eq 0 ]] || { [[ -t 0 ]] && sudo=(sudo); } || sudo=(sudo -n)
      printf '%s\n' "$BACKPORTS_LINE" | "${sudo[@]}" tee "$BACKPORTS_LIST" >/dev/null ||
        die "could not write $BACKPORTS_LIST."
    fi
  else
    say "this is not Debian 12 (bookworm) (VERSION_CODENAME='${codename}'); trying the configured apt sources"
  fi
  "$(dirname "$0")/apt-install.sh" "Go 1.23" "${target[@]}" "$GO_PACKAGE" || die "could not install ${GO_PACKAGE}."
}

# shellcheck source=ensure-lib.sh
source "$(dirname "$0")/ensure-lib.sh"
ensure_found go find_go

install_go

is_go123 "$GO_DEFAULT" ||
  die "${GO_PACKAGE} was installed but $GO_DEFAULT is missing or is not Go >= 1.23."
say "installed $(GOTOOLCHAIN=local "$GO_DEFAULT" version)"
printf '%s\n' "$GO_DEFAULT"
