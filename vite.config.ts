import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// The page is built into dist/client and served by the Express server; in development
// `vite` proxies the API and the live WebSocket to a server started separately.
export default defineConfig({
  root: 'client',
  plugins: [react()],
  build: { outDir: '../dist/client', emptyOutDir: true, chunkSizeWarningLimit: 2000 },
  server: {
    proxy: {
      '/api': { target: 'http://127.0.0.1:7878', ws: true },
    },
  },
});
