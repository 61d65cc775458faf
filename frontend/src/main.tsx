import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';

import { createApiClient } from './api/client.ts';
import { App } from './app.tsx';
import { loadConfig } from './config.ts';
import { ConfigErrorPage } from './pages/config-error-page.tsx';
import './styles.css';

async function start(): Promise<void> {
  const container = document.querySelector('#root');
  if (container === null) throw new Error('index.html has no #root element');
  const result = await loadConfig();
  if (!result.ok) {
    createRoot(container).render(<ConfigErrorPage problem={result.problem} />);
    return;
  }
  // Before the first render, so the first feed's fetch is already traced. A chunk of its own,
  // fetched only when enabled: with telemetry off the page carries none of its bytes.
  if (result.config.telemetry.enabled) {
    const { startTelemetry } = await import('./telemetry/index.ts');
    startTelemetry(result.config.telemetry, result.config.backendUrl);
  }
  // After the telemetry: createRoot registers React's event listeners on the container, and the
  // user-interaction instrumentation only sees (and times) listeners added once it is enabled.
  createRoot(container).render(
    <StrictMode>
      <App client={createApiClient({ baseUrl: result.config.backendUrl })} />
    </StrictMode>,
  );
}

void start();
