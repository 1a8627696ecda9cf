#!/usr/bin/env bash
# Installs the system packages the test suite needs when they are missing (fresh machine):
# the PostgreSQL server binaries. Safe to run again: installed packages are left alone.
set -euo pipefail
if [ -x .ci/install-postgres.sh ] || [ -f .ci/install-postgres.sh ]; then
  bash .ci/install-postgres.sh
fi
