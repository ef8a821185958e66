/**
 * The gate before the destructive step re-checks what DTR itself must show, through the CLI's entry point
 * in this process (cli-in-process.ts) against the mock DTR: a GC job that ran (and ended) after GC was turned off sends the run back to take a new
 * backup and bring the copy up to date; in the read-only procedure, read-only mode turned off after the
 * copy sends it back to turn it on and copy again. Neither destroys or reconfigures anything until the
 * redone steps pass, and the next run completes.
 */
import { describe, expect, it, type TestContext } from 'vitest';
import { createJob } from '../../src/mock-dtr/jobs.js';
import {
  destroyRuns,
  expectCleanFailure,
  expectMigrated,
  finishArgs,
  journalOf,
  longTestMs,
  tagsOf,
} from '../helpers/fault-checks.js';
import { runCliInProcess } from '../helpers/cli-in-process.js';
import { migrationFixture, type MigrationFixture } from '../helpers/mock-migration.js';

async function stoppedAtTheGate(
  ctx: TestContext,
  extra: readonly string[] = [],
): Promise<{ f: MigrationFixture; finish: string[]; tags: string[] }> {
  const f = await migrationFixture();
  ctx.onTestFinished(() => f.close());
  const tags = tagsOf(f.mock);
  // Without --confirm-destroy a script stops at the confirmation, with every earlier step verified.
  const first = await runCliInProcess(['migrate', ...f.args, ...extra, '--yes'], { env: f.env });
  expect(first.code, first.stderr).toBe(6);
  return { f, finish: [...extra, ...(await finishArgs(f))], tags };
}

describe.concurrent('the gate before the destructive step', { timeout: longTestMs }, () => {
  it('sends the run back to a new backup and copy when GC ran after it was turned off', async (ctx) => {
    const { f, finish, tags } = await stoppedAtTheGate(ctx);
    // "Start GC now" pressed in DTR's UI a minute ago, long finished.
    const job = createJob(f.mock.state, 'onlinegc', {}, Date.now() - 60_000, 1_000);
    const locked = await runCliInProcess(['migrate', ...f.args, ...finish], { env: f.env });
    expectCleanFailure(
      locked,
      1,
      new RegExp(`garbage collection ran after it was turned off \\(onlinegc ${job.id} \\(done\\)\\)`),
      /→ .*redoes disable-gc, backup, migrate-storage/,
    );
    expect(destroyRuns(f.mock)).toBe(0);
    const journal = await journalOf(f.stateDir);
    for (const id of ['disable-gc', 'backup', 'migrate-storage']) expect(journal.steps[id]?.status, id).toBe('failed');

    const resumed = await runCliInProcess(['migrate', ...f.args, ...finish], { env: f.env });
    expect(resumed.code, resumed.stderr).toBe(0);
    expect((await journalOf(f.stateDir)).steps['backup']?.attempts).toBe(2);
    await expectMigrated(f, tags);
  });

  it('sends the read-only procedure back when read-only mode was turned off after the copy', async (ctx) => {
    const { f, finish } = await stoppedAtTheGate(ctx, ['--procedure', 'read-only']);
    expect(f.mock.state.settings.readOnlyRegistry).toBe(true);
    f.mock.state.settings.readOnlyRegistry = false;
    const locked = await runCliInProcess(['migrate', ...f.args, ...finish], { env: f.env });
    expectCleanFailure(
      locked,
      1,
      /reconfigure is locked: read-only mode was turned off after the copy/,
      /→ .*redoes read-only, migrate-storage/,
    );
    expect(f.mock.state.storage).toEqual({ kind: 'path', path: f.source });

    const resumed = await runCliInProcess(['migrate', ...f.args, ...finish], { env: f.env });
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(f.mock.state.storage).toEqual({ kind: 'path', path: f.target });
    expect((await journalOf(f.stateDir)).steps['read-only']?.attempts).toBe(2);
  });
});
