import react from '@vitejs/plugin-react';
import { defineConfig } from 'vitest/config';

// The front end's own runner (not a project of the root vitest.config.ts): components render in
// jsdom; test/api-schema.test.ts asks for node itself.
export default defineConfig({
  plugins: [react()],
  test: {
    environment: 'jsdom',
    include: ['test/**/*.test.{ts,tsx}'],
    setupFiles: ['test/setup.ts'],
    testTimeout: 15_000,
  },
});
