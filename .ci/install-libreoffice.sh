#!/usr/bin/env bash
# Installs LibreOffice Writer (headless) when `soffice` is missing, so the bulletin tests can convert
# a rendered DOCX to PDF. Safe to run again: exits 0 at once when LibreOffice is already there.
set -euo pipefail
if command -v soffice >/dev/null 2>&1 || command -v libreoffice >/dev/null 2>&1; then
  exit 0
fi
# The Vietnamese bulletin is set in Times New Roman: Liberation Serif is its metric-compatible stand-in.
bash "$(dirname "$0")/apt-install.sh" libreoffice-writer-nogui fonts-liberation \
  || bash "$(dirname "$0")/apt-install.sh" libreoffice-writer fonts-liberation
