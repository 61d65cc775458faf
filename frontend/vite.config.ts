import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// Port 3000 is the front end's everywhere (design.md): `npm run dev` here, nginx in the stack.
export default defineConfig({
  plugins: [react()],
  server: { port: 3000, strictPort: true },
  preview: { port: 3000, strictPort: true },
  build: { outDir: 'dist', sourcemap: true },
});
