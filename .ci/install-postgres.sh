#!/usr/bin/env bash
# Makes sure the PostgreSQL server binaries (initdb, pg_ctl, postgres) the test suite starts are
# present: exits 0 at once when they are, else installs the distribution's `postgresql` package
# (non-interactively). Prints the directory holding the binaries. Safe to run again.
set -euo pipefail

find_bindir() {
  local dir
  for dir in /usr/lib/postgresql/15/bin "$(pg_config --bindir 2>/dev/null || true)" \
             "$(dirname "$(command -v initdb 2>/dev/null || echo /nonexistent/initdb)")" \
             $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -rV); do
    if [ -n "$dir" ] && [ -x "$dir/initdb" ] && [ -x "$dir/pg_ctl" ] && [ -x "$dir/postgres" ]; then
      echo "$dir"
      return 0
    fi
  done
  return 1
}

if bindir="$(find_bindir)"; then
  echo "PostgreSQL server binaries: $bindir"
  exit 0
fi

echo "PostgreSQL server binaries not found: installing the postgresql package" >&2
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  sudo="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update
$sudo apt-get install -y --no-install-recommends postgresql

if bindir="$(find_bindir)"; then
  echo "PostgreSQL server binaries: $bindir"
  exit 0
fi
echo "PostgreSQL was installed but initdb/pg_ctl/postgres are still not found" >&2
exit 1
