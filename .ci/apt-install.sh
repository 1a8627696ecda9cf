#!/usr/bin/env bash
# Installs distribution packages non-interactively (through sudo when not root): the one apt call
# the other .ci/install-*.sh scripts share.  Usage: bash .ci/apt-install.sh PACKAGE...
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
SUDO=""
if [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null 2>&1; then
  SUDO="sudo"
fi
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "$@"
