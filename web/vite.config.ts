// Builds the web UI into the Python package (src/logsheet/web/static), where the server serves it from.
import { defineConfig } from "vite";

export default defineConfig({
  base: "/",
  build: {
    outDir: "../src/logsheet/web/static",
    emptyOutDir: true,
    target: "es2022",
    sourcemap: false,
    chunkSizeWarningLimit: 4096,
    // No inline data: URLs for assets: the page's CSP allows scripts from the server only.
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
  },
  server: {
    proxy: { "/api": "http://127.0.0.1:8765" },
  },
});
