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

# Runs a command as root: directly when we are root, else through sudo
# (non-interactive sudo when there is no terminal to ask for a password on).
as_root() {
  if [[ "$(id -u)" -eq 0 ]]; then
    "$@"
  elif [[ -t 0 ]]; then
    sudo "$@"
  else
    sudo -n "$@"
  fi
}

check_root_access() {
  [[ "$(id -u)" -eq 0 ]] && return 0
  command -v sudo >/dev/null 2>&1 ||
    die "Go 1.23 is missing, and installing ${GO_PACKAGE} needs root: not root and sudo is not installed."
  if [[ ! -t 0 ]] && ! sudo -n true 2>/dev/null; then
    die "Go 1.23 is missing, and installing ${GO_PACKAGE} needs root: sudo wants a password and there is no terminal to ask on."
  fi
}

LOG=""
run_logged() {
  # Runs "$@" as root with its output in $LOG; on failure shows the end of the log.
  if ! as_root env DEBIAN_FRONTEND=noninteractive "$@" >>"$LOG" 2>&1; then
    say "command failed: $*"
    tail -n 25 "$LOG" | sed 's/^/  | /' >&2
    die "could not install ${GO_PACKAGE} (full log: $LOG)."
  fi
}

install_go() {
  command -v apt-get >/dev/null 2>&1 ||
    die "Go 1.23 is missing and apt-get is not available on this machine (not Debian?)."
  check_root_access

  local codename=""
  if [[ -r /etc/os-release ]]; then
    codename=$(. /etc/os-release && printf '%s' "${VERSION_CODENAME:-}")
  fi

  LOG=$(mktemp "${TMPDIR:-/tmp}/loomtrace-ensure-go.XXXXXX.log")
  say "Go 1.23 not found at $GO_DEFAULT; installing ${GO_PACKAGE} (log: $LOG)"

  local -a target=()
  if [[ "$codename" == "bookworm" ]]; then
    target=(-t bookworm-backports)
    if ! grep -rqsE '^[^#]*bookworm-backports' /etc/apt/sources.list /etc/apt/sources.list.d/; then
      say "adding the bookworm-backports apt source ($BACKPORTS_LIST)"
      printf '%s\n' "$BACKPORTS_LINE" | as_root tee "$BACKPORTS_LIST" >/dev/null ||
        die "could not write $BACKPORTS_LIST."
    fi
  else
    say "this is not Debian 12 (bookworm) (VERSION_CODENAME='${codename}'); trying the configured apt sources"
  fi

  local -a apt_opts=(-q -y -o Dpkg::Use-Pty=0 -o DPkg::Lock::Timeout=300 -o Acquire::Retries=3)
  say "apt-get update"
  run_logged apt-get "${apt_opts[@]}" update
  say "apt-get install ${target[*]} ${GO_PACKAGE}"
  run_logged apt-get "${apt_opts[@]}" install --no-install-recommends "${target[@]}" "$GO_PACKAGE"
}

if go=$(find_go); then
  printf '%s\n' "$go"
  exit 0
fi

# Serialize concurrent installs (two test runs starting at once); re-check once we hold the lock.
# The lock is best effort: without flock or a writable lock file we simply go on.
lock_file="${TMPDIR:-/tmp}/loomtrace-ensure-go.$(id -u).lock"
if command -v flock >/dev/null 2>&1 && { exec 9>>"$lock_file"; } 2>/dev/null; then
  flock 9
  if go=$(find_go 2>/dev/null); then
    printf '%s\n' "$go"
    exit 0
  fi
fi

install_go

is_go123 "$GO_DEFAULT" ||
  die "${GO_PACKAGE} was installed but $GO_DEFAULT is missing or is not Go >= 1.23."
say "installed $(GOTOOLCHAIN=local "$GO_DEFAULT" version)"
rm -f "$LOG"
printf '%s\n' "$GO_DEFAULT"
