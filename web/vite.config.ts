import { fileURLToPath } from 'node:url'
import react from '@vitejs/plugin-react'
import { defineConfig } from 'vite'

const root = fileURLToPath(new URL('.', import.meta.url))

// The served UI: index.html -> web/dist, loaded by `heistguard serve` with a strict CSP (no inline
// scripts or styles, so everything is an external, hashed asset).
export default defineConfig({
  root,
  base: '/',
  plugins: [react()],
  logLevel: 'warn',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    sourcemap: false,
    // Vite would inline small assets as data: URLs into CSS; allowed (img-src data:), kept small.
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
  },
})
