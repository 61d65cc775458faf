#!/usr/bin/env bash
# Makes sure a Docker engine answers on this machine. If none does and this is Debian with
# root, installs Debian's docker.io and starts dockerd; otherwise says exactly what is missing.
# Idempotent and quiet when the engine is already up.
set -euo pipefail

log() { printf 'ensure-docker: %s\n' "$*" >&2; }

engine_up() { docker info >/dev/null 2>&1; }

if command -v docker >/dev/null 2>&1 && engine_up; then
  exit 0
fi

is_debian_root() { [ -r /etc/debian_version ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; }

if ! command -v dockerd >/dev/null 2>&1; then
  if ! is_debian_root; then
    log "no Docker engine answers and this is not Debian with root: install Docker Engine (dockerd) and start it, or set DOCKER_HOST"
    exit 1
  fi
  log "installing Debian's docker.io (dockerd, containerd, runc)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq docker.io >/dev/null
fi

if ! engine_up; then
  if [ "$(id -u)" != 0 ]; then
    log "dockerd is installed but not running, and starting it needs root: run 'sudo dockerd &' or start the docker service"
    exit 1
  fi
  # No init system in a container: run dockerd in the background, logging to a file.
  log "starting dockerd (log: /var/log/cruddur-dockerd.log)"
  nohup dockerd --host unix:///var/run/docker.sock >/var/log/cruddur-dockerd.log 2>&1 &
  for _ in $(seq 1 60); do
    engine_up && break
    sleep 0.5
  done
fi

if ! engine_up; then
  log "dockerd did not come up; last lines of its log:"
  tail -n 20 /var/log/cruddur-dockerd.log >&2 || true
  exit 1
fi
log "Docker engine $(docker version --format '{{.Server.Version}}') is up"
