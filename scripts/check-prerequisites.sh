#!/usr/bin/env bash
# What the Makefile expects the machine to have already (this workplace's machines do); everything
# else it installs itself. Says exactly what is missing instead of failing halfway through.
set -uo pipefail
missing=()

go_version="$(go env GOVERSION 2>/dev/null || /usr/local/go/bin/go env GOVERSION 2>/dev/null || true)"
go_minor="$(printf '%s' "$go_version" | sed -nE 's/^go1\.([0-9]+).*/\1/p')"
if [ -z "$go_minor" ] || [ "$go_minor" -lt 25 ]; then
  missing+=("Go >= 1.25 (found: ${go_version:-none}); the collector and stand-ins are built from source")
fi
if ! command -v python3 >/dev/null 2>&1; then
  missing+=("python3 (3.11 for the moto stand-in image's wheels)")
else
  python3 -c 'import venv, ensurepip' >/dev/null 2>&1 || missing+=("python3 venv with ensurepip (Debian: apt-get install python3-venv)")
  python3 -m pip --version >/dev/null 2>&1 || missing+=("pip for python3 (Debian: apt-get install python3-pip)")
fi
command -v gcc >/dev/null 2>&1 && command -v g++ >/dev/null 2>&1 ||
  missing+=("gcc and g++ (Debian: apt-get install g++): the trace viewer links DuckDB through cgo")
command -v npm >/dev/null 2>&1 || missing+=("npm, once, to fetch Node 24 from the npm registry (Debian: apt-get install npm)")

if [ ${#missing[@]} -gt 0 ]; then
  echo "Missing prerequisites:" >&2
  for item in "${missing[@]}"; do echo "  - $item" >&2; done
  exit 1
fi
