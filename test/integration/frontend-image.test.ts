import { describe, expect, it } from 'vitest';

import { runOnce } from '@cruddur/testkit/docker';
import { STACK_IMAGES } from '@cruddur/testkit/stack';

/**
 * The front end image's start-up checks (frontend/nginx/entrypoint.sh): a bad value stops the
 * container with exit status 2 and a message naming the variable, never the value, before nginx
 * starts or any file is written from it.
 */
const CASES = [
  { variable: 'BACKEND_URL', value: 'javascript:alert(1)', message: 'BACKEND_URL must be an http(s) URL' },
  {
    variable: 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT',
    value: 'http://collector/v1/traces"; evil',
    message: 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT must be an http(s) URL',
  },
  { variable: 'OTEL_SERVICE_NAME', value: 'a b', message: 'OTEL_SERVICE_NAME must be 1-64' },
  { variable: 'FRONTEND_TELEMETRY', value: 'yes', message: 'FRONTEND_TELEMETRY must be true or false' },
  {
    variable: 'OTELCOL_BROWSER_UPSTREAM',
    value: 'otel-collector:4328; include /etc/passwd',
    message: 'OTELCOL_BROWSER_UPSTREAM must be host:port',
  },
  { variable: 'OTELCOL_BROWSER_UPSTREAM', value: 'http://otel-collector:4328', message: 'OTELCOL_BROWSER_UPSTREAM must be host:port' },
] as const;

describe('the front end image refuses bad configuration at start', () => {
  it.each(CASES)('$variable=$value: exit 2, naming the variable', async ({ variable, value, message }) => {
    const { code, output } = await runOnce(STACK_IMAGES.FRONTEND_IMAGE, { [variable]: value });
    expect(code).toBe(2);
    expect(output).toContain(`cruddur-frontend: ${message}`);
    expect(output).not.toContain(value);
  });
});
