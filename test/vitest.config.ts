import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineConfig } from 'vitest/config';

// Verify keeps its ledgers in the user's cache directory, and a migration without --state-dir its state in
// the user's state directory: the tests (and every CLI they spawn) use their own, so they neither read nor
// leave anything in the home directory.
const cacheDir = join(tmpdir(), `dtr-migrate-test-cache-${process.pid}`);
const stateDir = join(tmpdir(), `dtr-migrate-test-state-${process.pid}`);

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
    env: { XDG_CACHE_HOME: cacheDir, XDG_STATE_HOME: stateDir },
  },
});
