#!/usr/bin/env bash
# Installs what ozon-rules needs on a fresh Debian machine. Safe to run again:
# it only installs what is missing.
#   scripts/bootstrap.sh          what building and running need
#   scripts/bootstrap.sh --test   also what the tests use (curl, luacheck, a headless browser for
#                                 the HTML replay report and `pack --format pdf`, sqlite3, PostgreSQL
#                                 for the shared store's tests), the fonts the packing PDF names
#                                 (DejaVu for Latin and Cyrillic, Noto CJK for Chinese),
#                                 poppler-utils (pdfinfo, pdftotext, pdfunite) and zbar-tools
#                                 (zbarimg reads the slips' barcodes back)
set -euo pipefail

packages=(liblua5.4-dev pkg-config lua5.4 jq libedit-dev libsqlite3-dev)
if [[ ${1:-} == --test ]]; then
  packages+=(chromium sqlite3 lua-check curl postgresql fonts-dejavu-core fonts-noto-cjk poppler-utils zbar-tools)
fi
missing=()
for package in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$package")
  fi
done

if ((${#missing[@]})); then
  echo "bootstrap: installing ${missing[*]}" >&2
  sudo_cmd=()
  if [[ $(id -u) -ne 0 ]]; then sudo_cmd=(sudo); fi
  export DEBIAN_FRONTEND=noninteractive
  "${sudo_cmd[@]}" apt-get update -qq
  "${sudo_cmd[@]}" apt-get install -y -qq "${missing[@]}" >/dev/null
fi

pkg-config --exists lua5.4 || { echo "bootstrap: pkg-config cannot find lua5.4" >&2; exit 1; }
