/**
 * `dtr-migrate rehearse` as a process, the way a newcomer first runs it: the whole migration against the
 * embedded mock, its verify ledger kept in the rehearsal's own directory and not in the cache the
 * environment names. Its other behaviour, through the same entry point in this process, is in
 * test/integration/rehearse.test.ts.
 */
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';

describe('dtr-migrate rehearse', () => {
  it("keeps its verify ledger in its own directory, not in the operator's cache", async () => {
    const cache = await mkdtemp(join(tmpdir(), 'rehearse-cache-'));
    try {
      const run = await runCli(['rehearse', '--yes', '--keep', '--json'], { env: { XDG_CACHE_HOME: cache } });
      expect(run.code).toBe(0);
      const kept = /Kept the rehearsal directory: (\S+)/.exec(run.stderr)?.[1];
      expect(kept).toBeDefined();
      expect((await readdir(join(kept as string, 'ledgers'))).filter((name) => name.endsWith('.ledger'))).toHaveLength(
        1,
      );
      expect(await readdir(cache)).toEqual([]);
      await rm(kept as string, { recursive: true, force: true });
    } finally {
      await rm(cache, { recursive: true, force: true });
    }
  });
});
