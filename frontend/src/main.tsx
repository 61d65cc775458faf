import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';

import { createApiClient } from './api/client.ts';
import { App } from './app.tsx';
import { loadConfig } from './config.ts';
import { ConfigErrorPage } from './pages/config-error-page.tsx';
import { startTelemetry } from './telemetry/index.ts';
import './styles.css';

async function start(): Promise<void> {
  const container = document.querySelector('#root');
  if (container === null) throw new Error('index.html has no #root element');
  const root = createRoot(container);
  const result = await loadConfig();
  if (!result.ok) {
    root.render(<ConfigErrorPage problem={result.problem} />);
    return;
  }
  // Before the first render, so the first feed's fetch is already traced.
  startTelemetry(result.config.telemetry, result.config.backendUrl);
  root.render(
    <StrictMode>
      <App client={createApiClient({ baseUrl: result.config.backendUrl })} />
    </StrictMode>,
  );
}

void start();
