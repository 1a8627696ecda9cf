#!/usr/bin/env bash
# Installs headless Chromium from the distribution when missing, for the web application's browser
# tests (Playwright is pointed at this executable; its own browser download is not used).
# Safe to run again: exits 0 at once when Chromium is already there.
set -euo pipefail
if command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1; then
  exit 0
fi
bash "$(dirname "$0")/apt-install.sh" chromium fonts-dejavu-core
