#!/usr/bin/env bash
# No container registry is reachable here, so the base images our Dockerfiles start FROM are
# made locally: Debian bookworm (minbase) by debootstrap, imported with `docker import`.
# On a connected machine nothing here is needed: the Dockerfiles default to public images.
# Idempotent: an image that already exists is left alone.
set -euo pipefail

log() { printf 'base-images: %s\n' "$*" >&2; }
MIRROR="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"
SUITE=bookworm

ensure_debootstrap() {
  command -v debootstrap >/dev/null 2>&1 && return
  if [ -r /etc/debian_version ] && [ "$(id -u)" = 0 ]; then
    log "installing debootstrap"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >/dev/null
  else
    log "debootstrap is missing: install it (Debian: apt-get install debootstrap) or pull public base images"
    exit 1
  fi
}

# make_image TAG PACKAGES...: a minbase rootfs with the packages, imported as TAG.
make_image() {
  local tag="$1"; shift
  if docker image inspect "$tag" >/dev/null 2>&1; then
    return
  fi
  ensure_debootstrap
  local include
  include="$(IFS=,; echo "$*")"
  local rootfs
  rootfs="$(mktemp -d /tmp/cruddur-rootfs.XXXXXX)"
  log "debootstrap $SUITE (minbase + $include) for $tag; about a minute"
  debootstrap --variant=minbase --include="$include" "$SUITE" "$rootfs" "$MIRROR" >"$rootfs.log" 2>&1 || {
    tail -n 20 "$rootfs.log" >&2
    exit 1
  }
  # Nothing a runtime image needs: package caches and lists, docs, man pages.
  rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/* \
    "$rootfs"/usr/share/doc/* "$rootfs"/usr/share/man/* "$rootfs"/usr/share/locale/*
  tar -C "$rootfs" -c . | docker import \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'CMD ["bash"]' - "$tag" >/dev/null
  rm -rf "$rootfs" "$rootfs.log"
  log "made $tag ($(docker image inspect --format '{{.Size}}' "$tag" | awk '{printf "%.0f MB", $1/1e6}'))"
}

make_image cruddur/debian:bookworm ca-certificates
make_image cruddur/python:3.11-bookworm ca-certificates python3 python3-venv
make_image cruddur/nginx:bookworm ca-certificates nginx-light
