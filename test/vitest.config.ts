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
    // Most tests now wait on the mock's polls in this process rather than burn CPU, so two cores keep four
    // workers busy: the whole run took 209 s with 4 workers against 289 s with 2 (and 203 s with 6) on the
    // development VM's two cores, every test passing each time.
    maxWorkers: 4,
    reporters: ['default', './test/helpers/count-reporter.ts'],
    env: { XDG_CACHE_HOME: cacheDir, XDG_STATE_HOME: stateDir },
  },
});
