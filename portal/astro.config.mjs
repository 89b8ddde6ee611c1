// @ts-check
import { defineConfig } from 'astro/config';
import node from '@astrojs/node';

// Hostnames the portal is reached under, besides 127.0.0.1 and localhost. Astro's origin check
// (CSRF protection for the form POSTs) compares the Origin header with the request URL, which is
// only built from the Host header for the hostnames listed here — read at BUILD time, comma-separated:
// PORTAL_ALLOWED_HOSTNAMES=podani.karlovyvary.cz,portal.example.org
const extraHosts = (process.env.PORTAL_ALLOWED_HOSTNAMES ?? '')
  .split(',')
  .map((h) => h.trim())
  .filter(Boolean)
  .map((hostname) => ({ hostname }));

export default defineConfig({
  output: 'server',
  adapter: node({ mode: 'standalone' }),
  // Astro 5 needs zod 3.25 in its SSR bundle; the root has zod 4 (see shared STACK.md).
  vite: { ssr: { noExternal: ['zod'] } },
  security: {
    checkOrigin: true,
    allowedDomains: [{ hostname: '127.0.0.1' }, { hostname: 'localhost' }, ...extraHosts],
  },
  // No client JavaScript: every page is plain server-rendered HTML.
  devToolbar: { enabled: false },
  build: { inlineStylesheets: 'never' },
});
