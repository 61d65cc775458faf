#!/bin/sh
# Writes the front end's runtime configuration from the environment, then runs nginx in the
# foreground. The same image serves any deployment: the browser reads /config.json at start
# (the app validates it again), and the Content-Security-Policy names exactly the two origins
# the page may call: the API and the collector's browser endpoint. Nothing secret is read here:
# the page never holds a vendor key.
set -eu

fail() { echo "cruddur-frontend: $*" >&2; exit 2; }

BACKEND_URL="${BACKEND_URL:-http://localhost:4567}"
OTEL_EXPORTER_OTLP_TRACES_ENDPOINT="${OTEL_EXPORTER_OTLP_TRACES_ENDPOINT:-http://localhost:4328/v1/traces}"
OTEL_SERVICE_NAME="${OTEL_SERVICE_NAME:-cruddur-frontend}"
FRONTEND_TELEMETRY="${FRONTEND_TELEMETRY:-true}"

# An http(s) URL with only the characters a URL needs: nothing that could break out of the
# JSON string or the nginx header below. The message names the variable, not the value.
check_url() {
  printf '%s' "$2" | grep -Eq '^https?://[A-Za-z0-9.-]+(:[0-9]+)?(/[A-Za-z0-9._~/-]*)?$' ||
    fail "$1 must be an http(s) URL (scheme, host, optional port and path)"
}
check_url BACKEND_URL "$BACKEND_URL"
check_url OTEL_EXPORTER_OTLP_TRACES_ENDPOINT "$OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"
printf '%s' "$OTEL_SERVICE_NAME" | grep -Eq '^[A-Za-z0-9._-]{1,64}$' ||
  fail "OTEL_SERVICE_NAME must be 1-64 letters, digits, '.', '_' or '-'"
case "$FRONTEND_TELEMETRY" in
  true | false) ;;
  *) fail "FRONTEND_TELEMETRY must be true or false" ;;
esac

origin() { printf '%s' "$1" | sed -E 's#^(https?://[^/]+).*#\1#'; }

mkdir -p /tmp/cruddur-frontend
cat >/tmp/cruddur-frontend/config.json <<JSON
{"backendUrl":"${BACKEND_URL%/}","telemetry":{"enabled":${FRONTEND_TELEMETRY},"collectorUrl":"${OTEL_EXPORTER_OTLP_TRACES_ENDPOINT}","serviceName":"${OTEL_SERVICE_NAME}"}}
JSON
cat >/tmp/cruddur-frontend/csp.conf <<CSP
add_header Content-Security-Policy "default-src 'self'; connect-src 'self' $(origin "$BACKEND_URL") $(origin "$OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"); img-src 'self' data:; style-src 'self'; script-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'" always;
CSP

exec nginx -c /etc/cruddur/nginx.conf -g 'daemon off;'
