import { fileURLToPath } from 'node:url'
import react from '@vitejs/plugin-react'
import { defineConfig } from 'vite'
import { viteSingleFile } from 'vite-plugin-singlefile'

const root = fileURLToPath(new URL('.', import.meta.url))

// The offline verify page: ONE self-contained HTML file (scripts and styles inlined) that runs
// verifySafeTransaction in the browser with no network. Built by web/scripts/buildVerifyPage.mjs,
// which checks the bytes are reproducible and prints their SHA-256.
export default defineConfig({
  root,
  base: './',
  plugins: [react(), viteSingleFile({ removeViteModuleLoader: true })],
  logLevel: 'warn',
  build: {
    outDir: 'dist-offline',
    emptyOutDir: true,
    sourcemap: false,
    modulePreload: { polyfill: false },
    rollupOptions: { input: fileURLToPath(new URL('./verify.html', import.meta.url)) },
  },
})
