import { resolve } from 'node:path';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const repo = resolve(import.meta.dirname, '..');
/** Where `npm run dev:web` sends API calls (a running `npm start`). */
const api = process.env.VIGIL_API_URL ?? 'http://127.0.0.1:8000';

export default defineConfig({
  root: import.meta.dirname,
  // Relative asset URLs: the same build works at `/` locally and under any CloudFront/S3 prefix.
  base: './',
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    reportCompressedSize: false,
  },
  server: {
    host: '127.0.0.1',
    fs: { allow: [repo] },
    proxy: { '/api': api, '/config.json': api },
  },
});
