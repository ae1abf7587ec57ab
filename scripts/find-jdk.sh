#!/usr/bin/env bash
# Prints the path of a JDK whose major version is >= 25 (the version Loom Tracer needs).
#
# Where it looks, in order:
#   1. $JAVA_HOME, if it is a JDK >= 25;
#   2. /usr/lib/jvm/*/release (or the directories in $LOOMTRACE_JDK_SEARCH_DIRS, colon-separated),
#      picking the highest JAVA_VERSION with major >= 25 that has bin/java and bin/javac.
#
# Executed: prints the path on stdout and exits 0, or prints an error on stderr and exits 1.
# Sourced:  defines the function `loomtrace_find_jdk` (same contract) and does nothing else.

LOOMTRACE_MIN_JDK=25

# Prints the major version of the JDK at $1 (e.g. 25 for "25.0.3", 8 for "1.8.0_412"), or nothing.
loomtrace_jdk_major() {
  local home="$1" v=""
  if [[ -r "$home/release" ]]; then
    v=$(sed -n 's/^JAVA_VERSION="\{0,1\}\([^"]*\)"\{0,1\}$/\1/p' "$home/release" | head -n 1)
  fi
  if [[ -z "$v" && -x "$home/bin/java" ]]; then
    # No release file: ask the JVM (slower, so only as a fallback).
    v=$("$home/bin/java" -XshowSettings:properties -version 2>&1 |
        sed -n 's/^ *java\.specification\.version = //p' | head -n 1)
  fi
  [[ -n "$v" ]] || return 0
  v=${v#1.}                 # 1.8.0_412 -> 8.0_412
  v=${v%%[!0-9]*}           # 25.0.3 -> 25, 26-ea -> 26
  [[ -n "$v" ]] && printf '%s\n' "$v"
}

# Prints the full JAVA_VERSION string of the JDK at $1 (for ordering), or "0".
loomtrace_jdk_full_version() {
  local v=""
  [[ -r "$1/release" ]] && v=$(sed -n 's/^JAVA_VERSION="\{0,1\}\([^"]*\)"\{0,1\}$/\1/p' "$1/release" | head -n 1)
  printf '%s\n' "${v:-0}"
}

# True if $1 is a usable JDK (not just a JRE) with major version >= LOOMTRACE_MIN_JDK.
loomtrace_is_jdk25() {
  local home="$1" major
  [[ -n "$home" && -x "$home/bin/java" && -x "$home/bin/javac" ]] || return 1
  major=$(loomtrace_jdk_major "$home")
  [[ -n "$major" && "$major" -ge "$LOOMTRACE_MIN_JDK" ]]
}

loomtrace_find_jdk() {
  local dirs="${LOOMTRACE_JDK_SEARCH_DIRS:-/usr/lib/jvm}"
  if [[ -n "${JAVA_HOME:-}" ]] && loomtrace_is_jdk25 "$JAVA_HOME"; then
    (cd "$JAVA_HOME" && pwd -P)
    return 0
  fi

  local best="" best_version="" dir release home version
  local IFS_save="$IFS"
  IFS=':'
  local -a search_dirs=($dirs)
  IFS="$IFS_save"
  for dir in "${search_dirs[@]}"; do
    for release in "$dir"/*/release; do
      [[ -e "$release" ]] || continue
      home=$(cd "$(dirname "$release")" && pwd -P)
      loomtrace_is_jdk25 "$home" || continue
      version=$(loomtrace_jdk_full_version "$home")
      if [[ -z "$best" ]] ||
         [[ "$(printf '%s\n%s\n' "$best_version" "$version" | sort -V | tail -n 1)" == "$version" &&
            "$version" != "$best_version" ]]; then
        best="$home"
        best_version="$version"
      fi
    done
  done

  if [[ -n "$best" ]]; then
    printf '%s\n' "$best"
    return 0
  fi

  {
    echo "error: no JDK ${LOOMTRACE_MIN_JDK} or newer found."
    if [[ -n "${JAVA_HOME:-}" ]]; then
      echo "  JAVA_HOME=$JAVA_HOME is not a JDK >= ${LOOMTRACE_MIN_JDK} (major version: $(loomtrace_jdk_major "$JAVA_HOME" || true))."
    else
      echo "  JAVA_HOME is not set."
    fi
    echo "  Looked for */release with JAVA_VERSION major >= ${LOOMTRACE_MIN_JDK} (and bin/javac) under: ${dirs}"
    echo "  Install a JDK ${LOOMTRACE_MIN_JDK} there (e.g. Temurin 25 in /usr/lib/jvm) or set JAVA_HOME to one."
  } >&2
  return 1
}

# Executed rather than sourced: do the job.
if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then
  set -euo pipefail
  loomtrace_find_jdk
fi
