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
OTELCOL_BROWSER_UPSTREAM="${OTELCOL_BROWSER_UPSTREAM:-}"
BROWSER_INGEST_PORT="${BROWSER_INGEST_PORT:-4328}"

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

if [ -n "$OTELCOL_BROWSER_UPSTREAM" ]; then
  printf '%s' "$OTELCOL_BROWSER_UPSTREAM" | grep -Eq '^[A-Za-z0-9.-]+:[0-9]{1,5}$' ||
    fail "OTELCOL_BROWSER_UPSTREAM must be host:port (the collector's browser receiver)"
  printf '%s' "$BROWSER_INGEST_PORT" | grep -Eq '^[0-9]{1,5}$' || fail "BROWSER_INGEST_PORT must be a port number"
fi

origin() { printf '%s' "$1" | sed -E 's#^(https?://[^/]+).*#\1#'; }

mkdir -p /tmp/cruddur-frontend
cat >/tmp/cruddur-frontend/config.json <<JSON
{"backendUrl":"${BACKEND_URL%/}","telemetry":{"enabled":${FRONTEND_TELEMETRY},"collectorUrl":"${OTEL_EXPORTER_OTLP_TRACES_ENDPOINT}","serviceName":"${OTEL_SERVICE_NAME}"}}
JSON
cat >/tmp/cruddur-frontend/csp.conf <<CSP
add_header Content-Security-Policy "default-src 'self'; connect-src 'self' $(origin "$BACKEND_URL") $(origin "$OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"); img-src 'self' data:; style-src 'self'; script-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'" always;
CSP

# The page's telemetry endpoint, when this server fronts the collector's browser receiver
# (otel-collector/config/browser.yaml). nginx reads the whole body first and refuses one over
# 1 MiB with 413 before the collector sees a byte (the receiver's own max_request_body_size, the
# same 1 MiB, answers 400: it cannot tell "too large" from "malformed"). CORS is the receiver's:
# the preflight and the Origin header pass through, so only FRONTEND_URL is allowed, and nginx
# adds no CORS header of its own. Only POST /v1/traces (and its preflight) is forwarded.
if [ -n "$OTELCOL_BROWSER_UPSTREAM" ]; then
  cat >/tmp/cruddur-frontend/ingest.conf <<NGINX
server {
  listen ${BROWSER_INGEST_PORT};
  server_tokens off;
  access_log off;
  client_max_body_size 1m;
  location = /v1/traces {
    limit_except POST OPTIONS { deny all; }
    proxy_pass http://${OTELCOL_BROWSER_UPSTREAM};
    proxy_http_version 1.1;
    proxy_set_header Connection "";
    proxy_set_header Cookie "";
    proxy_set_header Authorization "";
    proxy_connect_timeout 5s;
    proxy_read_timeout 30s;
  }
  location / {
    return 404;
  }
}
NGINX
else
  : >/tmp/cruddur-frontend/ingest.conf
fi

exec nginx -c /etc/cruddur/nginx.conf -g 'daemon off;'
