import { defineConfig } from 'vitest/config';

// One runner, four projects: `unit` is fast and needs nothing running; `collector` starts the
// real collector binary and the stand-ins as local processes; `integration` drives the stack in
// containers; `reliability` holds outage, fuzz and exposure tests (`make test-reliability`).
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['app/test/**/*.test.ts', 'testkit/test/**/*.test.ts', 'queries/test/*.test.ts'],
          globalSetup: ['app/test/support/global-setup.ts'],
          environment: 'node',
          testTimeout: 15_000,
        },
      },
      {
        test: {
          name: 'collector',
          include: [
            'otel-collector/test/**/*.test.ts',
            'xray-daemon/test/**/*.test.ts',
            'aws/test/**/*.test.ts',
            'queries/test/standin/**/*.test.ts',
          ],
          environment: 'node',
          testTimeout: 120_000,
          hookTimeout: 180_000,
          // Each file starts its own collector and stand-ins; one at a time keeps 2 cores usable.
          fileParallelism: false,
        },
      },
      {
        test: {
          name: 'reliability',
          include: ['test/reliability/**/*.test.ts'],
          environment: 'node',
          testTimeout: 600_000,
          hookTimeout: 900_000,
          fileParallelism: false,
          env: { TESTCONTAINERS_RYUK_DISABLED: 'true', TESTCONTAINERS_HOST_OVERRIDE: 'localhost' },
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          environment: 'node',
          // No registry here: Ryuk's image cannot be pulled, and the daemon runs on this host.
          env: { TESTCONTAINERS_RYUK_DISABLED: 'true', TESTCONTAINERS_HOST_OVERRIDE: 'localhost' },
          testTimeout: 300_000,
          hookTimeout: 900_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
