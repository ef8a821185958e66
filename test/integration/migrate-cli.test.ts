/**
 * migrate, plan and status through the CLI's entry point in this process (cli-in-process.ts), with the
 * arguments, environment and stdin a script gives the real CLI: the confirmation a destroy needs and the
 * resume after it, a resumed run that names the new storage differently, a step that waits for a GC job,
 * --password-stdin, what plan prints, and what status tells. The real process is in test/e2e/migrate.test.ts.
 */
import { stat } from 'node:fs/promises';
import { describe, expect, it, type TestContext } from 'vitest';
import { jsonEvents } from '../helpers/cli.js';
import { runCliInProcess } from '../helpers/cli-in-process.js';
import { migrationFixture, readJournal, secrets, stepOrder, type MigrationFixture } from '../helpers/mock-migration.js';

/** A fixture of the test's own, closed when it ends (the tests run side by side). */
async function fixtureFor(
  ctx: TestContext,
  options?: Parameters<typeof migrationFixture>[0],
): Promise<MigrationFixture> {
  const f = await migrationFixture(options);
  ctx.onTestFinished(() => f.close());
  return f;
}

describe.concurrent('dtr-migrate migrate (non-interactive)', () => {
  it('refuses to destroy without an explicit confirmation, then resumes without repeating a step', async (ctx) => {
    const fixture = await fixtureFor(ctx);
    const first = await runCliInProcess(['migrate', ...fixture.args, '--yes'], { env: fixture.env });
    expect(first.code).toBe(6);
    expect(first.stderr).toContain(`--confirm-destroy ${fixture.mock.replicaId}`);
    expect(first.stderr).not.toMatch(/\n\s+at /);
    expect(fixture.mock.state.installed).toBe(true);
    expect(fixture.mock.state.storage).toEqual({ kind: 'path', path: fixture.source });

    const wrong = await runCliInProcess(['migrate', ...fixture.args, '--yes', '--confirm-destroy', '000000000000'], {
      env: fixture.env,
    });
    expect(wrong.code).toBe(6);
    expect(wrong.stderr).toContain('does not match');
    expect(fixture.mock.state.installed).toBe(true);

    const second = await runCliInProcess(
      ['migrate', ...fixture.args, '--yes', '--confirm-destroy', fixture.mock.replicaId],
      {
        env: fixture.env,
      },
    );
    expect(second.code).toBe(0);
    const journal = await readJournal(fixture.stateDir);
    for (const id of stepOrder) expect(journal.steps[id]).toMatchObject({ status: 'verified', attempts: 1 });
    expect(second.stderr).toContain('verified in an earlier run');
  });

  it('refuses a resumed run that names the new storage differently from the copy it verified, and records nothing of it', async (ctx) => {
    const fixture = await fixtureFor(ctx);
    const first = await runCliInProcess(['migrate', ...fixture.args, '--yes'], { env: fixture.env });
    expect(first.code).toBe(6);
    const confirm = ['--yes', '--confirm-destroy', fixture.mock.replicaId];
    const renamed = await runCliInProcess(
      ['migrate', ...fixture.args, '--target-volume', 'some-other-volume', ...confirm],
      {
        env: fixture.env,
      },
    );
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
    const resumed = await runCliInProcess(['migrate', ...fixture.args, ...confirm], { env: fixture.env });
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(fixture.mock.state.storage).toEqual({ kind: 'path', path: fixture.target });
  });
});

describe.concurrent('steps that wait', () => {
  it('disable-gc waits for a GC job that was already running, then goes on', async (ctx) => {
    // The job would run for ten minutes: it ends only once the step said it is waiting for it.
    const f = await fixtureFor(ctx, { runningGcJobMs: 600_000 });
    const run = await runCliInProcess(
      ['migrate', ...f.args, '--yes', '--confirm-destroy', f.mock.replicaId, '--json'],
      {
        env: f.env,
        onOutput: (text) => {
          if (text.includes('"waiting for GC job')) for (const job of f.mock.state.jobs) job.endsAt = Date.now();
        },
      },
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

describe.concurrent('dtr-migrate plan and status', () => {
  it('reads the DTR token from stdin with --password-stdin', async (ctx) => {
    const fixture = await fixtureFor(ctx);
    const { DTR_TOKEN: _token, ...env } = fixture.env;
    const run = await runCliInProcess(['plan', ...fixture.args, '--password-stdin'], {
      env: { ...env, DTR_TOKEN: undefined },
      input: `${secrets.token}\n`,
    });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain('Back up DTR metadata');
    const wrong = await runCliInProcess(['plan', ...fixture.args, '--password-stdin'], {
      env: { ...env, DTR_TOKEN: undefined },
      input: 'not-the-token\n',
    });
    expect(wrong.code).toBe(4);
    expect(wrong.stderr).not.toContain('not-the-token');
  });

  it('plan prints every HTTP call and docker command, secrets masked, and changes nothing', async (ctx) => {
    const fixture = await fixtureFor(ctx);
    const run = await runCliInProcess(['plan', ...fixture.args], { env: fixture.env });
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

  it('status tells each step and what comes next', async (ctx) => {
    const fixture = await fixtureFor(ctx);
    const none = await runCliInProcess(['status', '--state-dir', fixture.stateDir]);
    expect(none.code).toBe(0);
    expect(none.stdout).toContain('No migration has started');
    await runCliInProcess(['migrate', ...fixture.args, '--yes'], { env: fixture.env });
    const status = await runCliInProcess(['status', '--state-dir', fixture.stateDir]);
    expect(status.stdout).toMatch(/1\. Disable garbage collection: verified/);
    expect(status.stdout).toMatch(/4\. Destroy and restore DTR on the new storage: pending/);
    expect(status.stdout).toContain('Next: Destroy and restore DTR on the new storage');
    const json = jsonEvents((await runCliInProcess(['status', '--state-dir', fixture.stateDir, '--json'])).stdout);
    expect(json.find((e) => e['event'] === 'status')?.['next']).toBe('restore');
  });
});
