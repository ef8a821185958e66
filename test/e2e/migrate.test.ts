/**
 * The whole best-practice migration through the real CLI, as a subprocess, against the mock DTR on a
 * loopback port with the docker stand-in as docker: one run to the end (and `status` after it), and
 * runs stopped by SIGINT after each step. The rest of migrate, plan and status, through the same entry
 * point in the test's own process, is in test/integration/migrate-cli.test.ts.
 */
import { readFile, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it, type TestContext } from 'vitest';
import { jsonEvents, runCli } from '../helpers/cli.js';
import {
  listFiles,
  migrationFixture,
  readJournal,
  secrets,
  stepOrder,
  type MigrationFixture,
} from '../helpers/mock-migration.js';

/** A fixture of the test's own, closed when it ends (the tests run side by side). */
async function fixtureFor(ctx: TestContext): Promise<MigrationFixture> {
  const f = await migrationFixture();
  ctx.onTestFinished(() => f.close());
  return f;
}

function tagsOf(f: MigrationFixture): string[] {
  return f.mock.state.repositories
    .flatMap((r) => r.tags.map((t) => `${r.namespace}/${r.name}:${t.name}@${t.digest}`))
    .sort();
}

async function allFilesText(dir: string): Promise<string> {
  let text = '';
  for (const name of await readdir(dir, { recursive: true })) {
    const path = join(dir, String(name));
    if ((await stat(path)).isFile()) text += await readFile(path, 'latin1');
  }
  return text;
}

describe.concurrent('dtr-migrate migrate (non-interactive)', () => {
  it('runs every step, each verified, and keeps every tag on the new storage', async (ctx) => {
    const fixture = await fixtureFor(ctx);
    const tagsBefore = tagsOf(fixture);
    const gcBefore = fixture.mock.state.crons
      .filter((c) => c.action.startsWith('onlinegc'))
      .map((c) => [c.action, c.schedule]);
    expect(gcBefore).toHaveLength(1);
    expect(tagsBefore.length).toBeGreaterThan(0);
    const run = await runCli(
      ['migrate', ...fixture.args, '--yes', '--confirm-destroy', fixture.mock.replicaId, '--json'],
      { env: fixture.env },
    );
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const events = jsonEvents(run.stdout);
    const result = events.at(-1);
    expect(result).toMatchObject({ event: 'result', ok: true, exitCode: 0 });
    expect(result?.['steps']).toEqual(stepOrder.map((id) => ({ id, status: 'verified' })));
    expect(events.filter((e) => e['event'] === 'step-done').map((e) => e['id'])).toEqual([...stepOrder]);
    // Complete only once DTR, asked just now, serves from the new storage with every tag.
    const status = await runCli(['status', '--state-dir', fixture.stateDir, '--docker-bin', fixture.mock.dockerBin], {
      env: fixture.env,
    });
    expect(status.code, status.stderr).toBe(0);
    expect(status.stdout).toContain(`The migration is complete: DTR serves images from volume ${fixture.target}`);

    // The new storage holds every source file but the incomplete uploads, with the same sizes.
    const source = await listFiles(fixture.source, (rel) => rel.includes('_uploads'));
    const target = await listFiles(fixture.target);
    expect(target).toEqual(source);
    // DTR now serves from the target, with the tags it had, and the GC schedule is back as it was.
    expect(fixture.mock.state.storage).toEqual({ kind: 'path', path: fixture.target });
    expect(tagsOf(fixture)).toEqual(tagsBefore);
    expect(
      fixture.mock.state.crons.filter((c) => c.action.startsWith('onlinegc')).map((c) => [c.action, c.schedule]),
    ).toEqual(gcBefore);
    expect(fixture.mock.state.jobs.filter((j) => j.action === 'onlinegc_blobs')).toHaveLength(1);

    // The backup is owner-only and recorded; the journal says every step is verified.
    const journal = await readJournal(fixture.stateDir);
    for (const id of stepOrder) expect(journal.steps[id]).toMatchObject({ status: 'verified', attempts: 1 });
    const backups = (await readdir(fixture.stateDir)).filter((n) => n.startsWith('backup-'));
    expect(backups).toHaveLength(1);
    expect((await stat(join(fixture.stateDir, backups[0] ?? ''))).mode & 0o777).toBe(0o600);

    // Secrets reach neither the output, the journal, the log nor the backup.
    const everything = run.stdout + run.stderr + (await allFilesText(fixture.stateDir));
    expect(everything).not.toContain(secrets.token);
    expect(everything).not.toContain(secrets.ucpPassword);
  });

  it('resumes after being stopped after each step, never repeating a verified one', async (ctx) => {
    const fixture = await fixtureFor(ctx);
    const confirm = ['--yes', '--confirm-destroy', fixture.mock.replicaId, '--json'];
    const allEvents: Array<Record<string, unknown>> = [];
    // Not after the last two: restore-gc takes milliseconds, so the signal may arrive when the run is done.
    for (const stopAfter of stepOrder.slice(0, 4)) {
      const stopped = await runCli(['migrate', ...fixture.args, ...confirm], {
        env: fixture.env,
        onOutput: (text, child) => {
          if (new RegExp(`"event":"step-done",[^\n]*"id":"${stopAfter}"`).test(text)) child.kill('SIGINT');
        },
      });
      expect(stopped.code, `stopped after ${stopAfter}`).toBe(130);
      allEvents.push(...jsonEvents(stopped.stdout));
      const journal = await readJournal(fixture.stateDir);
      expect(journal.steps[stopAfter]?.status).toBe('verified');
      expect(jsonEvents(stopped.stdout).at(-1)).toMatchObject({ event: 'result', ok: false, exitCode: 130 });
    }
    const last = await runCli(['migrate', ...fixture.args, ...confirm], { env: fixture.env });
    expect(last.code).toBe(0);
    allEvents.push(...jsonEvents(last.stdout));
    const journal = await readJournal(fixture.stateDir);
    for (const id of stepOrder) expect(journal.steps[id]?.status).toBe('verified');
    // Across all runs, no step starts again once it was verified, and each was verified exactly once.
    for (const id of stepOrder) {
      const mine = allEvents.filter((e) => e['id'] === id).map((e) => e['event']);
      const done = mine.indexOf('step-done');
      expect(done, id).toBeGreaterThanOrEqual(0);
      expect(
        mine.slice(done + 1).filter((e) => e === 'step-start' || e === 'step-done'),
        id,
      ).toEqual([]);
    }
    expect(fixture.mock.state.storage).toEqual({ kind: 'path', path: fixture.target });
    expect(fixture.mock.state.jobs.filter((j) => j.action === 'onlinegc_blobs')).toHaveLength(1);
  });
});
