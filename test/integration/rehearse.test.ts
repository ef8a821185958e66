/**
 * `dtr-migrate rehearse` through the CLI's entry point in this process (cli-in-process.ts): the whole
 * migration against the embedded mock, as a newcomer runs it; what it refuses before it starts. As a
 * real process: test/e2e/rehearse.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { jsonEvents } from '../helpers/cli.js';
import { runCliInProcess } from '../helpers/cli-in-process.js';
import { expectValidStream } from '../helpers/event-schema.js';
import { stepOrder } from '../helpers/mock-migration.js';

describe.concurrent('dtr-migrate rehearse', () => {
  it('refuses --state-dir, which it would not use, before it starts anything', async () => {
    const run = await runCliInProcess(['rehearse', '--yes', '--state-dir', '/tmp/never-used']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--state-dir is not used');
    expect(run.stderr).not.toContain('Rehearsal in');
  });
  it('--yes --json exits 0 and ends with the result line, every step verified', async () => {
    const run = await runCliInProcess(['rehearse', '--yes', '--json']);
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
  it("uses DTR_TOKEN and UCP_PASSWORD as the mock's credentials and leaks neither", async () => {
    const token = 'rehearsal-token-Zq81';
    const password = 'rehearsal-ucp-Xw27';
    const run = await runCliInProcess(['rehearse', '--yes', '--tls'], {
      env: { DTR_TOKEN: token, UCP_PASSWORD: password },
    });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Migration complete: every step verified.');
    expect(run.stdout + run.stderr).not.toContain(token);
    expect(run.stdout + run.stderr).not.toContain(password);
  });
  it('without --yes in a script changes nothing and says so, naming --yes', async () => {
    const run = await runCliInProcess(['rehearse']);
    expect(run.code).toBe(3);
    expect(run.stderr).toContain('nothing was changed');
    expect(run.stderr).toContain('Run again with --yes');
  });
  it('--replicas 3 --yes rebuilds a 3-replica cluster on the new storage and keeps every tag', async () => {
    const run = await runCliInProcess(['rehearse', '--replicas', '3', '--yes', '--json']);
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
});
