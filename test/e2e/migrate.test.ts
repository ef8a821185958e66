/**
 * The whole best-practice migration through the real CLI, as a subprocess, against the mock DTR on a
 * loopback port with the docker stand-in as docker.
 */
import { readFile, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { jsonEvents, runCli } from '../helpers/cli.js';
import {
  listFiles,
  migrationFixture,
  readJournal,
  secrets,
  stepOrder,
  type MigrationFixture,
} from '../helpers/mock-migration.js';

let fixture: MigrationFixture | undefined;
afterEach(async () => {
  await fixture?.close();
  fixture = undefined;
});

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

describe('dtr-migrate migrate (non-interactive)', () => {
  it('runs every step, each verified, and keeps every tag on the new storage', async () => {
    fixture = await migrationFixture();
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

  it('refuses to destroy without an explicit confirmation, then resumes without repeating a step', async () => {
    fixture = await migrationFixture();
    const first = await runCli(['migrate', ...fixture.args, '--yes'], { env: fixture.env });
    expect(first.code).toBe(6);
    expect(first.stderr).toContain(`--confirm-destroy ${fixture.mock.replicaId}`);
    expect(first.stderr).not.toMatch(/\n\s+at /);
    expect(fixture.mock.state.installed).toBe(true);
    expect(fixture.mock.state.storage).toEqual({ kind: 'path', path: fixture.source });

    const wrong = await runCli(['migrate', ...fixture.args, '--yes', '--confirm-destroy', '000000000000'], {
      env: fixture.env,
    });
    expect(wrong.code).toBe(6);
    expect(wrong.stderr).toContain('does not match');
    expect(fixture.mock.state.installed).toBe(true);

    const second = await runCli(['migrate', ...fixture.args, '--yes', '--confirm-destroy', fixture.mock.replicaId], {
      env: fixture.env,
    });
    expect(second.code).toBe(0);
    const journal = await readJournal(fixture.stateDir);
    for (const id of stepOrder) expect(journal.steps[id]).toMatchObject({ status: 'verified', attempts: 1 });
    expect(second.stderr).toContain('verified in an earlier run');
  });

  it('refuses a resumed run that names the new storage differently from the copy it verified, and records nothing of it', async () => {
    fixture = await migrationFixture();
    const first = await runCli(['migrate', ...fixture.args, '--yes'], { env: fixture.env });
    expect(first.code).toBe(6);
    const confirm = ['--yes', '--confirm-destroy', fixture.mock.replicaId];
    const renamed = await runCli(['migrate', ...fixture.args, '--target-volume', 'some-other-volume', ...confirm], {
      env: fixture.env,
    });
    expect(renamed.code).toBe(5);
    expect(renamed.stderr).toMatch(
      /names the new storage volume some-other-volume, but this migration copied and verified it for volume \S+/,
    );
    expect(renamed.stderr).not.toMatch(/\n\s+at /);
    expect(fixture.mock.state.installed).toBe(true);
    const journal = await readJournal(fixture.stateDir);
    expect(journal.steps['migrate-storage']?.status).toBe('verified');
    expect(JSON.stringify(journal)).not.toContain('some-other-volume');
    // Without the mistaken flag the recorded migration goes on to the end.
    const resumed = await runCli(['migrate', ...fixture.args, ...confirm], { env: fixture.env });
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(fixture.mock.state.storage).toEqual({ kind: 'path', path: fixture.target });
  });

  it('resumes after being stopped after each step, never repeating a verified one', async () => {
    fixture = await migrationFixture();
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

describe('steps that wait', () => {
  it('disable-gc waits for a GC job that was already running, then goes on', async () => {
    // Long enough to outlast the CLI's start-up and preflight on a slow machine.
    fixture = await migrationFixture({ runningGcJobMs: 20_000 });
    const run = await runCli(
      ['migrate', ...fixture.args, '--yes', '--confirm-destroy', fixture.mock.replicaId, '--json'],
      { env: fixture.env },
    );
    expect(run.code, run.stderr).toBe(0);
    const events = jsonEvents(run.stdout);
    expect(
      events.some(
        (e) =>
          e['event'] === 'progress' && e['id'] === 'disable-gc' && String(e['text']).startsWith('waiting for GC job'),
      ),
    ).toBe(true);
    const done = events.find((e) => e['event'] === 'step-done' && e['id'] === 'disable-gc');
    expect(done?.['facts']).toContain('waited for 1 GC job(s) to finish');
  });
});

describe('dtr-migrate plan and status', () => {
  it('reads the DTR token from stdin with --password-stdin', async () => {
    fixture = await migrationFixture();
    const { DTR_TOKEN: _token, ...env } = fixture.env;
    const run = await runCli(['plan', ...fixture.args, '--password-stdin'], {
      env: { ...env, DTR_TOKEN: undefined },
      input: `${secrets.token}\n`,
    });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain('Back up DTR metadata');
    const wrong = await runCli(['plan', ...fixture.args, '--password-stdin'], {
      env: { ...env, DTR_TOKEN: undefined },
      input: 'not-the-token\n',
    });
    expect(wrong.code).toBe(4);
    expect(wrong.stderr).not.toContain('not-the-token');
  });

  it('plan prints every HTTP call and docker command, secrets masked, and changes nothing', async () => {
    fixture = await migrationFixture();
    const run = await runCli(['plan', ...fixture.args], { env: fixture.env });
    expect(run.code).toBe(0);
    const out = run.stdout + run.stderr;
    expect(out).toContain('DELETE /api/v0/crons/onlinegc');
    expect(out).toContain(`docker/dtr:${fixture.mock.version} backup`);
    expect(out).toContain('UCP_PASSWORD=****');
    expect(out).toContain('POST /api/v0/jobs {"action":"onlinegc_blobs"}');
    expect(out).not.toContain(secrets.token);
    expect(out).not.toContain(secrets.ucpPassword);
    const mutating = fixture.mock.requests.filter((r) => r.method !== 'GET');
    expect(mutating).toEqual([]);
    await expect(stat(fixture.stateDir)).rejects.toThrow();
  });

  it('status tells each step and what comes next', async () => {
    fixture = await migrationFixture();
    const none = await runCli(['status', '--state-dir', fixture.stateDir]);
    expect(none.code).toBe(0);
    expect(none.stdout).toContain('No migration has started');
    await runCli(['migrate', ...fixture.args, '--yes'], { env: fixture.env });
    const status = await runCli(['status', '--state-dir', fixture.stateDir]);
    expect(status.stdout).toMatch(/1\. Disable garbage collection: verified/);
    expect(status.stdout).toMatch(/4\. Destroy and restore DTR on the new storage: pending/);
    expect(status.stdout).toContain('Next: Destroy and restore DTR on the new storage');
    const json = jsonEvents((await runCli(['status', '--state-dir', fixture.stateDir, '--json'])).stdout);
    expect(json.find((e) => e['event'] === 'status')?.['next']).toBe('restore');
  });
});
