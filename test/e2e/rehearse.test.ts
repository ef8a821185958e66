/**
 * `dtr-migrate rehearse`: the whole migration against the embedded mock, as a newcomer runs it.
 */
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { jsonEvents, runCli } from '../helpers/cli.js';
import { expectValidStream } from '../helpers/event-schema.js';
import { stepOrder } from '../helpers/mock-migration.js';

describe('dtr-migrate rehearse', () => {
  it('refuses --state-dir, which it would not use, before it starts anything', async () => {
    const run = await runCli(['rehearse', '--yes', '--state-dir', '/tmp/never-used']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--state-dir is not used');
    expect(run.stderr).not.toContain('Rehearsal in');
  });

  it('--yes --json exits 0 and ends with the result line, every step verified', async () => {
    const run = await runCli(['rehearse', '--yes', '--json']);
    expect(run.code).toBe(0);
    const result = jsonEvents(run.stdout).at(-1);
    expect(result).toMatchObject({
      event: 'result',
      ok: true,
      exitCode: 0,
      steps: stepOrder.map((id) => ({ id, status: 'verified' })),
    });
    expect(String((result?.['checks'] as string[])[0])).toMatch(
      /all \d+ tags present after the migration, same digests/,
    );
  });

  it('--replicas 3 --yes rebuilds a 3-replica cluster on the new storage and keeps every tag', async () => {
    const run = await runCli(['rehearse', '--replicas', '3', '--yes', '--json']);
    expect(run.code, run.stderr).toBe(0);
    // Every event, the cluster's topology and replica steps included, as the shipped schema describes.
    const events = expectValidStream(run.stdout);
    const result = events.at(-1);
    const ids = (result?.['steps'] as Array<{ id: string; status: string }>).map((s) => `${s.id} ${s.status}`);
    expect(ids.filter((id) => /^destroy-[0-9a-f]{12} verified$/.test(id))).toHaveLength(2);
    expect(ids.filter((id) => /^join-[0-9a-f]{12} verified$/.test(id))).toHaveLength(2);
    expect(ids.at(-2)).toBe('onlinegc-blobs verified');
    expect(String((result?.['checks'] as string[])[0])).toMatch(
      /all \d+ tags present after the migration, same digests/,
    );
    const starts = events.filter((e) => e['event'] === 'run-start');
    const topology = (starts[0]?.['data'] as { topology?: Array<{ role: string }> } | undefined)?.topology;
    expect(topology?.map((r) => r.role)).toEqual(['restored', 'joined', 'joined']);
  });

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

  it("uses DTR_TOKEN and UCP_PASSWORD as the mock's credentials and leaks neither", async () => {
    const token = 'rehearsal-token-Zq81';
    const password = 'rehearsal-ucp-Xw27';
    const run = await runCli(['rehearse', '--yes', '--tls'], { env: { DTR_TOKEN: token, UCP_PASSWORD: password } });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Migration complete: every step verified.');
    expect(run.stdout + run.stderr).not.toContain(token);
    expect(run.stdout + run.stderr).not.toContain(password);
  });

  it('without --yes in a script changes nothing and says so, naming --yes', async () => {
    const run = await runCli(['rehearse']);
    expect(run.code).toBe(3);
    expect(run.stderr).toContain('nothing was changed');
    expect(run.stderr).toContain('Run again with --yes');
  });
});
