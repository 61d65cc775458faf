#!/usr/bin/env bash
# Runs the project's compose file with whichever compose tool this machine has: the v2 plugin
# (`docker compose`) or the standalone v1 (`docker-compose`, Debian's package). Installs
# Debian's docker-compose when neither is there and we are root on Debian.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
project="${COMPOSE_PROJECT_NAME:-cruddur}"

if docker compose version >/dev/null 2>&1; then
  exec docker compose -p "$project" -f "$root/docker-compose.yml" "$@"
fi
if ! command -v docker-compose >/dev/null 2>&1; then
  if [ -r /etc/debian_version ] && [ "$(id -u)" = 0 ]; then
    echo "compose: installing Debian's docker-compose" >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker-compose >/dev/null 2>&1 ||
      { apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker-compose >/dev/null; }
  else
    echo "compose: neither 'docker compose' nor 'docker-compose' is installed; install one of them" >&2
    exit 1
  fi
fi
exec docker-compose -p "$project" -f "$root/docker-compose.yml" "$@"
