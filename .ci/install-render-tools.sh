#!/usr/bin/env bash
# Installs what tools/render_outputs.py needs besides LibreOffice Writer: LibreOffice Calc (XLSX -> PDF)
# and poppler-utils (pdftoppm: PDF -> PNG pages). Safe to run again: what is installed is left alone.
set -euo pipefail
need=()
command -v pdftoppm >/dev/null 2>&1 || need+=(poppler-utils)
[ -e /usr/lib/libreoffice/program/libsclo.so ] || need+=(libreoffice-calc-nogui)
if [ ${#need[@]} -eq 0 ]; then
  exit 0
fi
bash "$(dirname "$0")/apt-install.sh" "${need[@]}"
