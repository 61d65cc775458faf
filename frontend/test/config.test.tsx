import { render, screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';

import { type AppConfig, loadConfig, parseConfig } from '../src/config.ts';
import { ConfigErrorPage } from '../src/pages/config-error-page.tsx';

const good: AppConfig = {
  backendUrl: 'http://localhost:4567',
  telemetry: { enabled: true, collectorUrl: 'http://localhost:4328/v1/traces', serviceName: 'frontend-react-js' },
};

function serving(status: number, text: string): typeof globalThis.fetch {
  return (): Promise<Response> => Promise.resolve(new Response(text, { status }));
}

describe('runtime config', () => {
  it('accepts a complete config', async () => {
    expect(parseConfig(good)).toEqual({ ok: true, config: good });
    expect(await loadConfig({ fetch: serving(200, JSON.stringify(good)) })).toEqual({ ok: true, config: good });
  });

  it('names each wrong field', () => {
    const result = parseConfig({
      backendUrl: 'localhost:4567',
      telemetry: { enabled: 'yes', collectorUrl: 'http://c/v1/traces', serviceName: ' ' },
    });
    expect(result.ok).toBe(false);
    const problem = result.ok ? '' : result.problem;
    expect(problem).toContain('backendUrl');
    expect(problem).toContain('must be an http(s) URL');
    expect(problem).toContain('telemetry.enabled');
    expect(problem).toContain('telemetry.serviceName');
    expect(problem).not.toContain('collectorUrl');
  });

  it('refuses a missing section and an unknown key (a misspelt field is not silently ignored)', () => {
    const missing = parseConfig({ backendUrl: good.backendUrl });
    expect(missing.ok ? '' : missing.problem).toContain('telemetry');
    const noCollector = parseConfig({ ...good, telemetry: { enabled: false, serviceName: 'web' } });
    expect(noCollector.ok ? '' : noCollector.problem).toBe('✖ is missing\n  → at telemetry.collectorUrl');
    const extra = parseConfig({ ...good, backendURL: 'http://x' });
    expect(extra.ok ? '' : extra.problem).toContain('backendURL');
  });

  it('says what went wrong fetching the file', async () => {
    expect(await loadConfig({ fetch: serving(404, 'nope') })).toEqual({ ok: false, problem: '/config.json answered HTTP 404.' });
    expect(await loadConfig({ fetch: serving(200, '{ not json') })).toEqual({ ok: false, problem: '/config.json is not valid JSON.' });
    const unreachable = await loadConfig({ fetch: () => Promise.reject(new TypeError('Failed to fetch')) });
    expect(unreachable).toEqual({ ok: false, problem: '/config.json could not be fetched (Failed to fetch).' });
  });

  it('shows a bad config on an error page', async () => {
    const result = await loadConfig({ fetch: serving(200, JSON.stringify({ ...good, backendUrl: 42 })) });
    render(<ConfigErrorPage problem={result.ok ? '' : result.problem} />);
    expect(screen.getByRole('heading', { level: 1, name: 'Cruddur cannot start' })).toBeInTheDocument();
    expect(screen.getByRole('alert')).toHaveTextContent('backendUrl');
  });
});
