import { defineConfig } from 'vite';

// The app lives in src/app and builds into dist/app, which the hub serves.
export default defineConfig({
  root: 'src/app',
  base: './',
  build: { outDir: '../../dist/app', emptyOutDir: true, target: 'es2022', chunkSizeWarningLimit: 2000 },
  server: {
    // `npm run dev`: the hub runs on 8080 and Vite proxies its endpoints.
    proxy: { '/signal': { target: 'ws://localhost:8080', ws: true }, '/config': 'http://localhost:8080', '/healthz': 'http://localhost:8080' },
  },
});
