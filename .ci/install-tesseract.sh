#!/usr/bin/env bash
# Installs Tesseract OCR with its Vietnamese model when either is missing, so scanned directives can
# be read (crawler/documents/ocr.py) and the OCR tests run. Safe to run again: exits 0 at once when
# both are there.
set -euo pipefail
if command -v tesseract >/dev/null 2>&1 && tesseract --list-langs 2>/dev/null | grep -qx vie; then
  exit 0
fi
bash "$(dirname "$0")/apt-install.sh" tesseract-ocr tesseract-ocr-vie fonts-dejavu-core
