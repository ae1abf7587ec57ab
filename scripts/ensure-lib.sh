# Sourced by scripts/ensure-*.sh (not run): the part every "make sure TOOL is here, print its
# path" script shares.
#
# ensure_found NAME FIND: runs the function FIND, which prints the tool's path and succeeds when
# the tool is there; if it is, prints that path and exits 0. Otherwise it takes the per-user
# install lock of NAME, so two test runs starting at once do not install twice, checks again
# (another run may just have installed it), and returns if the tool is still missing, for the
# caller to install it. The lock is best effort: without flock or a writable lock file it goes on.

ensure_found() {
  local name="$1" find="$2" found
  if found=$("$find"); then
    printf '%s\n' "$found"
    exit 0
  fi
  local lock_file="${TMPDIR:-/tmp}/loomtrace-ensure-${name}.$(id -u).lock"
  if command -v flock >/dev/null 2>&1 && { exec 9>>"$lock_file"; } 2>/dev/null; then
    flock 9
    if found=$("$find" 2>/dev/null); then
      printf '%s\n' "$found"
      exit 0
    fi
  fi
}
