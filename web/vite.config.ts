import { defineConfig } from 'vite';

// Built into web/dist and served by pierre-mcp-server at /dashboard (PIERRE_DASHBOARD_DIR). Hashed file names under
// assets/ are served as immutable; index.html as no-cache. The server's Content-Security-Policy allows no inline
// script or style, so nothing may be inlined into index.html.
export default defineConfig({
  base: '/dashboard/',
  build: {
    outDir: 'dist',
    assetsDir: 'assets',
    assetsInlineLimit: 0,
    emptyOutDir: true,
    sourcemap: false,
    target: 'es2022',
    modulePreload: { polyfill: false },
  },
});
