/**
 * Crashes: the CLI killed with SIGKILL at every step boundary and in the middle of every long step
 * (waiting for GC, the backup stream, the copy, between destroy and restore, the job polling), then
 * `migrate` again. The end state must be whole: every step verified, the backup the journal names
 * intact, the new storage complete, the tags the same, and nothing repeated that must not be (one job
 * POST; destroy once, or twice only when the kill landed inside restore). Also: the lock of a state
 * directory held by a live run and left by a killed one. Journals that must be refused are in
 * test/integration/damaged-journal.test.ts.
 */
import type { ChildProcess } from 'node:child_process';
import { readdir } from 'node:fs/promises';
import { hostname } from 'node:os';
import { describe, expect, it } from 'vitest';
import { createRunningGcJob } from '../../src/mock-dtr/jobs.js';
import type { CliOptions, CliRun } from '../helpers/cli.js';
import {
  destroyRuns,
  expectCleanFailure,
  expectMigrated,
  finishArgs,
  jobPosts,
  journalOf,
  largeFixture,
  longTestMs,
  runLong,
  tagsOf,
} from '../helpers/fault-checks.js';
import { listFiles, migrationFixture, type MigrationFixture } from '../helpers/mock-migration.js';

type EventMatch = (event: Record<string, unknown>) => boolean;

/** An onOutput handler that SIGKILLs the CLI at the first `--json` event `match` accepts. */
function killWhen(match: EventMatch): (text: string, child: ChildProcess) => void {
  let pending = '';
  return (text, child) => {
    const lines = (pending + text).split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) {
      if (line.startsWith('{') && match(JSON.parse(line) as Record<string, unknown>)) child.kill('SIGKILL');
    }
  };
}

/** SIGKILLs the CLI as soon as a copied file appears under `dir` (polled every 10 ms); the engine's own dot files do not count. */
function killOnFirstFile(dir: string, child: ChildProcess): void {
  const timer = setInterval(() => {
    listFiles(dir, (rel) => rel.startsWith('.')).then(
      (files) => {
        if (files.size === 0) return;
        clearInterval(timer);
        child.kill('SIGKILL');
      },
      () => undefined,
    );
  }, 10);
  child.once('exit', () => clearInterval(timer));
}

const stepDone =
  (id: string): EventMatch =>
  (e) =>
    e['event'] === 'step-done' && e['id'] === id;
const progressOf =
  (id: string): EventMatch =>
  (e) =>
    e['event'] === 'progress' && e['id'] === id;

function gcSchedules(f: MigrationFixture): string[] {
  return f.mock.state.crons.filter((c) => c.action.startsWith('onlinegc')).map((c) => `${c.action} ${c.schedule}`);
}

/** Runs migrate (taking over the lock a killed run left) and expects it to be killed, no step failed. */
async function killedRun(f: MigrationFixture, finish: readonly string[], options: CliOptions): Promise<CliRun> {
  const run = await runLong(['migrate', ...f.args, ...finish, '--json', '--take-over-lock'], {
    env: f.env,
    ...options,
  });
  expect(run.signal, run.stderr).toBe('SIGKILL');
  const journal = await journalOf(f.stateDir).catch(() => undefined);
  if (journal !== undefined) expect(Object.values(journal.steps).filter((s) => s.status === 'failed')).toEqual([]);
  return run;
}

// One after the other: the large fixture of the second (135 MB written and listed every 10 ms) starves the
// first one's mock, served by this same process, until its API calls time out on a loaded machine.
describe('killed with SIGKILL, then resumed', { timeout: longTestMs }, () => {
  it('at every step boundary', async (ctx) => {
    const f = await migrationFixture();
    ctx.onTestFinished(() => f.close());
    const finish = await finishArgs(f);
    const tags = tagsOf(f.mock);
    const gc = gcSchedules(f);
    const boundaries: Array<[string, EventMatch]> = [
      ['before the first step', (e) => e['event'] === 'run-start'],
      ...['disable-gc', 'backup', 'migrate-storage', 'restore'].map((id): [string, EventMatch] => [
        `after ${id}`,
        stepDone(id),
      ]),
    ];
    for (const [where, match] of boundaries) {
      await killedRun(f, finish, { onOutput: killWhen(match) });
      expect(f.mock.state.installed, where).toBe(true);
    }
    // After the job step the last one takes milliseconds: the kill may come too late, which is fine.
    const late = await runLong(['migrate', ...f.args, ...finish, '--json', '--take-over-lock'], {
      env: f.env,
      onOutput: killWhen(stepDone('onlinegc-blobs')),
    });
    expect(late.signal === 'SIGKILL' || late.code === 0, late.stderr).toBe(true);
    const last = await runLong(['migrate', ...f.args, ...finish, '--take-over-lock'], { env: f.env });
    expect(last.code, last.stderr).toBe(0);
    await expectMigrated(f, tags);
    expect(jobPosts(f.mock)).toBe(1);
    expect(destroyRuns(f.mock)).toBe(1);
    expect(gcSchedules(f)).toEqual(gc);
  });

  it('in the middle of every long step, with the lock held by the killed run', async (ctx) => {
    // Layers big enough that a one-worker copy outlasts several progress ticks (100 ms) even on a fast disk.
    const f = await largeFixture(
      { repositories: 6, tagsPerRepository: 3, layersPerImage: 3, layerBytes: 2_500_000 },
      { jobDurationMs: 4_000 },
    );
    ctx.onTestFinished(() => f.close());
    const finish = [...(await finishArgs(f)), '--copy-concurrency', '1'];
    const tags = tagsOf(f.mock);
    const gc = gcSchedules(f);
    const stepOf = async (id: string) => (await journalOf(f.stateDir)).steps[id];

    // 1. While disable-gc waits for a GC job that was already running.
    createRunningGcJob(f.mock.state, Date.now(), 600_000);
    await killedRun(f, finish, { onOutput: killWhen(progressOf('disable-gc')) });
    expect(await stepOf('disable-gc')).toMatchObject({
      status: 'running',
      checkpoint: { previousSchedules: [{ action: 'onlinegc' }] },
    });
    for (const job of f.mock.state.jobs) job.endsAt = Date.now();

    // 2. While the backup streams (a slow bootstrapper). A second run meanwhile is refused by the lock.
    let streaming: () => void = () => undefined;
    const inBackup = new Promise<void>((resolve) => (streaming = resolve));
    f.mock.injectFault({
      method: 'POST',
      path: '/_mock/bootstrapper/backup',
      delayMs: 600_000,
      onMatch: () => streaming(),
    });
    let owner: ChildProcess | undefined;
    const first = runLong(['migrate', ...f.args, ...finish, '--json', '--take-over-lock'], {
      env: f.env,
      onSpawn: (child) => (owner = child),
    });
    await inBackup;
    const second = await runLong(['migrate', ...f.args, ...finish], { env: f.env });
    expectCleanFailure(
      second,
      5,
      new RegExp(`another dtr-migrate is working in .*: process ${owner?.pid ?? -1} on ${hostname()}`),
    );
    owner?.kill('SIGKILL');
    expect((await first).signal).toBe('SIGKILL');
    expect((await readdir(f.stateDir)).filter((n) => n.endsWith('.tar'))).toEqual([]);
    const stale = await runLong(['migrate', ...f.args, ...finish], { env: f.env });
    expectCleanFailure(
      stale,
      5,
      new RegExp(`locked by process ${owner?.pid ?? -1} on ${hostname()}.*no longer runs`),
      /→ .*--take-over-lock/,
    );

    // 3. During the copy, once files are being copied: some are in the target, not all.
    // (--json progress comes at most every 500 ms, which a copy this size may not outlast: watch the target.)
    await killedRun(f, finish, { onSpawn: (child) => killOnFirstFile(f.target, child) });
    expect((await stepOf('migrate-storage'))?.status).toBe('running');
    const copied = (await listFiles(f.target, (rel) => rel.startsWith('.'))).size;
    expect(copied).toBeGreaterThan(0);
    expect(copied).toBeLessThan((await listFiles(f.source)).size);

    // 4. Between destroy and restore; the restore itself goes on without us, as docker's would.
    let restoring: ChildProcess | undefined;
    f.mock.injectFault({
      method: 'POST',
      path: '/_mock/bootstrapper/restore',
      delayMs: 1_000,
      onMatch: () => restoring?.kill('SIGKILL'),
    });
    await killedRun(f, finish, { onSpawn: (child) => (restoring = child) });
    expect((await stepOf('restore'))?.checkpoint?.['destroyedAt']).toBeDefined();

    // 5. While the job is followed.
    await killedRun(f, finish, { onOutput: killWhen(progressOf('onlinegc-blobs')) });
    expect(await stepOf('onlinegc-blobs')).toMatchObject({
      status: 'running',
      checkpoint: { jobId: expect.any(String) },
    });
    const last = await runLong(['migrate', ...f.args, ...finish, '--take-over-lock'], { env: f.env });
    expect(last.code, last.stderr).toBe(0);
    await expectMigrated(f, tags);
    expect(jobPosts(f.mock)).toBe(1);
    expect(destroyRuns(f.mock)).toBeLessThanOrEqual(2);
    expect(gcSchedules(f)).toEqual(gc);
  });
});
