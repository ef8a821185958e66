import { defineConfig } from 'vitest/config';

// Tests run against the compiled CLI (dist/) where they spawn it, so `npm test` builds first.
export default defineConfig({
  test: {
    root: new URL('..', import.meta.url).pathname,
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Two cores: end-to-end tests spawn the CLI and the docker stand-in, so more workers only thrash.
    maxWorkers: 2,
    reporters: ['default', './test/helpers/count-reporter.ts'],
  },
});
