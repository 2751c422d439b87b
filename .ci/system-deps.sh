#!/usr/bin/env bash
# System packages the test suite needs: PostgreSQL (store tests), Chromium (report test and
# `superionic report --pdf`) and poppler-utils (pdftoppm: the report test renders PDF page 1).
# Installs Debian's packages when missing (needs root); a no-op when all are present.
set -euo pipefail
need=()
ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1 || need+=(postgresql)
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v pdftoppm >/dev/null 2>&1 || need+=(poppler-utils)
[ ${#need[@]} -eq 0 ] && exit 0
if [ "$(id -u)" != 0 ]; then
  echo "missing system packages: ${need[*]} (install them with apt-get as root)" >&2; exit 1
fi
echo "installing ${need[*]} ..." >&2
apt-get update -qq >&2
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >&2
