#!/usr/bin/env bash
# The independent checkers the tests run over what BizPortal serves: poppler-utils and qpdf
# (Debian) for the statement PDFs; axe-core, the Nu Html Checker (vnu-jar, on the machine's
# Java) and Redocly's CLI from npm (package.json, pinned in package-lock.json).
set -euo pipefail
cd "$(dirname "$0")/.."
missing=()
for tool in pdftoppm:poppler-utils pdftotext:poppler-utils qpdf:qpdf java:default-jre-headless; do
  command -v "${tool%%:*}" >/dev/null || missing+=("${tool##*:}")
done
# the statement PDF's font beyond Latin-1 (services/billing/pdf_fonts.py; the tests print with it)
[ -f /usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf ] || missing+=(fonts-dejavu-core)
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "installing ${missing[*]} for the document checks"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(printf "%s\n" "${missing[@]}" | sort -u) >/dev/null 2>&1
  else
    echo "missing Debian packages for the tests: ${missing[*]} (install them)" >&2
    exit 1
  fi
fi
command -v npm >/dev/null || { echo "npm is missing: install Node.js 20 and npm" >&2; exit 1; }
stamp=node_modules/.installed
if [ ! -f "$stamp" ] || [ package-lock.json -nt "$stamp" ]; then
  npm ci --no-audit --no-fund --loglevel=error
  touch "$stamp"
fi
