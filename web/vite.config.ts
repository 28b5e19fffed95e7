// The web chat's build: web/ into web/dist, served by the Mastra server at /chat (src/mastra/server/web-chat.ts).
// Vite turns the TSX into JavaScript itself (oxc); no plugin is needed for a page without hot reload.
import { defineConfig } from 'vite';

export default defineConfig({
  root: import.meta.dirname,
  base: '/chat/',
  logLevel: 'warn',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    rollupOptions: {
      // 'use client' in dependencies (swr) means nothing outside a React server framework.
      onwarn(warning, warn) {
        if (warning.code !== 'MODULE_LEVEL_DIRECTIVE') warn(warning);
      },
    },
  },
  oxc: { jsx: { runtime: 'automatic' } },
});
