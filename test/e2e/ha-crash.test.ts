/**
 * An HA cluster's migration killed with SIGKILL between replica actions (after a replica was destroyed,
 * after the restore, after the first join), then `migrate` again: it must end on a healthy 3-replica
 * cluster on the new storage with every tag, having destroyed each replica exactly once (a restored
 * replica is never destroyed again) and joined each other one exactly once. The one HA test that needs a
 * real process: the rest is in test/integration/ha.test.ts.
 */
import type { ChildProcess } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import {
  countRequests,
  destroyRuns,
  expectMigrated,
  finishArgs,
  journalOf,
  longTestMs,
  runLong,
  tagsOf,
} from '../helpers/fault-checks.js';
import { migrationFixture } from '../helpers/mock-migration.js';

/** SIGKILLs the CLI at the `--json` step-done event of `id`. */
function killAfter(id: string): (text: string, child: ChildProcess) => void {
  let pending = '';
  return (text, child) => {
    const lines = (pending + text).split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) {
      if (!line.startsWith('{')) continue;
      const event = JSON.parse(line) as Record<string, unknown>;
      if (event['event'] === 'step-done' && event['id'] === id) child.kill('SIGKILL');
    }
  };
}

describe('an HA migration killed between replica actions', { timeout: longTestMs }, () => {
  it('resumes to a healthy 3-replica cluster without destroying a restored replica again', async (ctx) => {
    const f = await migrationFixture({ replicas: 3 });
    ctx.onTestFinished(() => f.close());
    const finish = await finishArgs(f);
    const tags = tagsOf(f.mock);
    const before = structuredClone(f.mock.state.replicaSettings);
    const [second] = Object.keys(before).filter((id) => id !== f.mock.replicaId);
    for (const id of [`destroy-${second}`, 'restore', `join-${second}`]) {
      const run = await runLong(['migrate', ...f.args, ...finish, '--json', '--take-over-lock'], {
        env: f.env,
        onOutput: killAfter(id),
      });
      expect(run.signal, `${id}: ${run.stderr}`).toBe('SIGKILL');
      const journal = await journalOf(f.stateDir);
      expect(journal.steps[id]?.status, id).toBe('verified');
      expect(Object.values(journal.steps).filter((s) => s.status === 'failed')).toEqual([]);
    }
    const last = await runLong(['migrate', ...f.args, ...finish, '--take-over-lock'], { env: f.env });
    expect(last.code, last.stderr).toBe(0);
    await expectMigrated(f, tags);
    expect(f.mock.state.replicaSettings).toEqual(before);
    expect(Object.values(f.mock.state.replicaHealth ?? {})).toEqual([]);
    expect(destroyRuns(f.mock)).toBe(3);
    expect(countRequests(f.mock, 'POST', '/_mock/bootstrapper/restore')).toBe(1);
    expect(countRequests(f.mock, 'POST', '/_mock/bootstrapper/join')).toBe(2);
    expect(countRequests(f.mock, 'POST', '/api/v0/jobs')).toBe(1);
  });
});
