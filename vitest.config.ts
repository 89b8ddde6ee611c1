import { defineConfig } from 'vitest/config';

// `npm test`: unit and integration tests (PGlite unless DATABASE_URL is set). Browser tests live in
// test/e2e and run with `npm run test:e2e` (vitest.e2e.config.ts).
export default defineConfig({
  test: {
    include: ['{db,engine,workers,backoffice,portal}/src/**/*.test.ts', 'test/**/*.test.ts'],
    exclude: ['**/node_modules/**', 'test/e2e/**', 'test/system/**'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
