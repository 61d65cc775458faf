#!/usr/bin/env bash
# Makes sure Debian's chromium is installed: the browser the end-to-end tests drive through
# playwright-core (`npx playwright install` cannot download browsers here, and a Debian package
# is what a CI machine of this workplace can always get). Prints the binary's path on stdout.
# Idempotent and quiet when it is already there.
set -euo pipefail

log() { printf 'ensure-chromium: %s\n' "$*" >&2; }

if [ -n "${CHROMIUM_BIN:-}" ]; then
  [ -x "$CHROMIUM_BIN" ] || { log "CHROMIUM_BIN=$CHROMIUM_BIN is not an executable"; exit 1; }
  echo "$CHROMIUM_BIN"
  exit 0
fi

if ! command -v chromium >/dev/null 2>&1; then
  if ! { [ -r /etc/debian_version ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; }; then
    log "chromium is not installed and this is not Debian with root: install Chromium and set CHROMIUM_BIN to its binary"
    exit 1
  fi
  log "installing Debian's chromium"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >/dev/null
fi
command -v chromium
