import { defineConfig } from 'vitest/config';

// `npm run test:system`: tests that need something beyond npm — Debian packages (softhsm2,
// libreoffice-*-nogui, poppler-utils, openssl) or a PostgreSQL server (DATABASE_URL, e.g. the
// two-node and crash tests of the engine, two processes registering one new sender). `.ci/run`
// installs the packages and runs them.
export default defineConfig({
  test: {
    include: ['test/system/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 300_000,
    pool: 'forks',
    fileParallelism: false,
  },
});
