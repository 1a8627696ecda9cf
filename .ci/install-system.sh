#!/usr/bin/env bash
# Installs the system packages the test suite needs when they are missing (fresh machine):
# the PostgreSQL server binaries, LibreOffice (DOCX/XLSX -> PDF checks of the bulletin and reports),
# poppler-utils (pdftoppm: the PNG pages of tools/render_outputs.py), Chromium (web tests) and
# Tesseract with its Vietnamese model (OCR of scanned directives).
# Safe to run again: what is installed is left alone.
set -euo pipefail
cd "$(dirname "$0")/.."
bash .ci/install-postgres.sh
bash .ci/install-libreoffice.sh
bash .ci/install-render-tools.sh
bash .ci/install-chromium.sh
bash .ci/install-tesseract.sh
