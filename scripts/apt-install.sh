#!/usr/bin/env bash
# Installs Debian packages with apt-get, as root or through sudo: `apt-install.sh WHAT [apt-get
# install arguments...]`, e.g. `apt-install.sh Chromium chromium`. WHAT names the tool in messages.
#
# The one home of "install a Debian package for the project's tools" (scripts/ensure-go.sh and
# scripts/ensure-chromium.sh call it). Runs apt-get update, then apt-get install
# --no-install-recommends with the given arguments; apt's output goes to a log file whose tail
# is shown on failure. Progress and errors go to stderr, nothing to stdout. Exits non-zero with a
# message saying what to do when it cannot install.
set -euo pipefail

[[ $# -ge 2 ]] || { echo "usage: apt-install.sh WHAT PACKAGE-ARGS..." >&2; exit 2; }
WHAT="$1"; shift

say() { echo "apt-install: $*" >&2; }
fail() {
  say "error: $1"
  exit 1
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

command -v apt-get >/dev/null 2>&1 ||
  fail "$WHAT is missing and apt-get is not available on this machine (not Debian?); install it yourself."
if [[ "$(id -u)" -ne 0 ]]; then
  command -v sudo >/dev/null 2>&1 ||
    fail "$WHAT is missing, and installing it ($*) needs root: not root and sudo is not installed."
  if [[ ! -t 0 ]] && ! sudo -n true 2>/dev/null; then
    fail "$WHAT is missing, and installing it ($*) needs root: sudo wants a password and there is no terminal to ask on."
  fi
fi

LOG=$(mktemp "${TMPDIR:-/tmp}/loomtrace-apt-install.XXXXXX.log")
run_logged() {
  if ! as_root env DEBIAN_FRONTEND=noninteractive "$@" >>"$LOG" 2>&1; then
    say "command failed: $*"
    tail -n 25 "$LOG" | sed 's/^/  | /' >&2
    fail "could not install $WHAT (full log: $LOG)."
  fi
}

apt_opts=(-q -y -o Dpkg::Use-Pty=0 -o DPkg::Lock::Timeout=300 -o Acquire::Retries=3)
say "installing $WHAT: apt-get install $* (log: $LOG)"
run_logged apt-get "${apt_opts[@]}" update
run_logged apt-get "${apt_opts[@]}" install --no-install-recommends "$@"
rm -f "$LOG"
