#!/usr/bin/env bash
# System packages the project needs, installed only when missing (Debian 12).
#  - WeasyPrint: pango, harfbuzz, fontconfig and DejaVu fonts (libpango-1.0-0, libpangoft2-1.0-0, fonts-dejavu-core)
#  - poppler-utils: pdftoppm/pdfinfo/pdftotext, used by tests and the report preview
#  - postgresql: the production-configuration integration test starts a throwaway server
#  - chromium, npm: the accessibility test loads reports in headless Chromium and runs axe-core (npm ci installs it)
#  - default-jre-headless: Java 17 for PySpark, the Spark linkage backend and its test
set -euo pipefail
need=()
ldconfig -p | grep -q libpango-1.0.so.0 || need+=(libpango-1.0-0)
ldconfig -p | grep -q libpangoft2-1.0.so.0 || need+=(libpangoft2-1.0-0)
fc-list 2>/dev/null | grep -qi dejavu || need+=(fonts-dejavu-core)
command -v pdftoppm >/dev/null || need+=(poppler-utils)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql)
command -v chromium >/dev/null || need+=(chromium)
command -v npm >/dev/null || need+=(npm)
command -v java >/dev/null || need+=(default-jre-headless)
if ((${#need[@]})); then
  echo "Installing system packages: ${need[*]}"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
