/**
 * `dtr-migrate rollback` in this process, against the mock DTR and the FakeDocker: before a destroy it
 * puts back GC and read-only mode and leaves backup and copy alone; after a destroy whose restore failed
 * it restores DTR onto the old storage with every tag, behind the destroy's confirmation; a killed rollback
 * resumes without repeating its restore; status says what a rollback would do; a migrate after it starts
 * a new migration.
 */
import { access, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readInventory } from '../../src/inventory/tags.js';
import { expectValidStream } from '../helpers/event-schema.js';
import { FakeDocker } from '../helpers/fake-docker.js';
import { cliInProcess, journalOf, migrateInProcess, rollbackInProcess } from '../helpers/in-process.js';
import { migrationFixture, secrets, type MigrationFixture } from '../helpers/mock-migration.js';

let f: MigrationFixture;
afterEach(async () => {
  await f?.close();
});

const bootstrapper = (command: string): RegExp => new RegExp(`^run .* docker/dtr:\\S+ ${command}\\b`);
/** The bootstrapper's restore onto one storage (the migration's names the target, the rollback's the source). */
const restoreOnto = (storage: string): RegExp => new RegExp(`^run .* restore .*--dtr-storage-volume ${storage}$`);

/** Every tag DTR serves now, as `repo:tag@digest`, sorted. */
const tagsNow = (fixture: MigrationFixture): string[] =>
  fixture.mock.state.repositories
    .flatMap((r) => r.tags.map((t) => `${r.namespace}/${r.name}:${t.name}@${t.digest}`))
    .sort();

/** The tags of inventory-before.json, in the same form. */
async function tagsBefore(fixture: MigrationFixture): Promise<string[]> {
  const inventory = await readInventory(join(fixture.stateDir, 'inventory-before.json'));
  return inventory.tags.map((t) => `${t.repository}:${t.tag}@${t.digest}`).sort();
}

/** A migration whose restore onto the new storage fails: DTR is destroyed and stays down. */
async function destroyedByAFailedRestore(docker: FakeDocker): Promise<void> {
  const run = await migrateInProcess(f, { yes: true, flags: { confirmDestroy: f.mock.replicaId }, docker });
  expect(run.code).toBe(1);
  expect((await journalOf(f)).steps['restore']?.status).toBe('failed');
  expect(f.mock.state.installed).toBe(false);
}

const failingRestoreOntoTarget = (fixture: MigrationFixture) => ({
  when: restoreOnto(fixture.target),
  answer: { exitCode: 1, stderr: 'level=fatal msg="failed to restore: rethinkdb did not start"' },
});

describe('dtr-migrate rollback, in process', () => {
  it('before a destroy: puts back the GC schedule and read-only mode, keeps backup and copy; a migrate then starts anew', async () => {
    f = await migrationFixture();
    const gcBefore = f.mock.state.crons.map((c) => `${c.action} ${c.schedule}`);
    expect(gcBefore).not.toEqual([]);
    const docker = new FakeDocker();
    // The read-only procedure, stopped at its destroy confirmation: GC off, read-only on, backup and copy made.
    const stopped = await migrateInProcess(f, { yes: true, flags: { procedure: 'read-only' }, docker });
    expect(stopped.error?.code).toBe('CONFIRMATION_REQUIRED');
    expect(f.mock.state.crons).toEqual([]);
    expect(f.mock.state.settings.readOnlyRegistry).toBe(true);
    const backup = (await journalOf(f)).steps['backup']?.output as { file: string };

    const plan = await rollbackInProcess(f, { dryRun: true, docker });
    expect(plan.io.of('step-plan').map((e) => e.id)).toEqual(['rollback-read-only', 'rollback-gc']);
    expect(f.mock.state.settings.readOnlyRegistry).toBe(true);

    const unconsented = await rollbackInProcess(f, { docker });
    expect(unconsented.code).toBe(3);
    const run = await rollbackInProcess(f, { yes: true, docker });
    expect(run.error?.message).toBeUndefined();
    expect(run.io.started()).toEqual(['rollback-read-only', 'rollback-gc']);
    expect(f.mock.state.settings.readOnlyRegistry).toBe(false);
    expect(f.mock.state.crons.map((c) => `${c.action} ${c.schedule}`)).toEqual(gcBefore);
    expect(docker.commands(bootstrapper('destroy'))).toEqual([]);
    await access(backup.file);
    expect((await readdir(f.target)).length).toBeGreaterThan(0);
    expect((await journalOf(f)).rollback?.completedAt).toBeDefined();

    const again = await rollbackInProcess(f, { yes: true, docker });
    expect(again.result?.text).toContain('Nothing to roll back');
    const status = await cliInProcess(['status', '--state-dir', f.stateDir], {});
    expect(status.stdout).toMatch(
      /Rollback: not possible now: the migration was rolled back at \S+\. `dtr-migrate migrate` starts a new migration\./,
    );

    // A migrate after the rollback starts a new migration, the old journal kept beside it.
    const anew = await migrateInProcess(f, { yes: true, docker });
    expect(anew.io.started()[0]).toBe('disable-gc');
    expect(anew.io.of('notice').some((n) => n.text.includes('was rolled back'))).toBe(true);
    expect((await readdir(f.stateDir)).some((name) => name.startsWith('journal-rolled-back-'))).toBe(true);
    expect((await journalOf(f)).rollback).toBeUndefined();
  });

  it('after a destroy whose restore failed: restores DTR onto the old storage with every tag, confirmed as destroy is', async () => {
    f = await migrationFixture();
    const gcBefore = f.mock.state.crons.map((c) => `${c.action} ${c.schedule}`);
    const docker = new FakeDocker([failingRestoreOntoTarget(f)]);
    await destroyedByAFailedRestore(docker);

    const status = await cliInProcess(['status', '--state-dir', f.stateDir, '--json'], {});
    const event = expectValidStream(status.stdout).find((e) => e.event === 'status');
    expect(event?.['rollback']).toMatchObject({
      possible: true,
      procedure: 'after-destroy',
      steps: [{ id: 'rollback-restore' }, { id: 'rollback-gc' }],
    });
    const dryRun = await cliInProcess(['rollback', '--dry-run', '--json', ...f.args], f.env);
    const plans = expectValidStream(dryRun.stdout).filter((e) => e.event === 'step-plan');
    expect(plans.map((e) => e['id'])).toEqual(['rollback-restore', 'rollback-gc']);
    expect(JSON.stringify(plans)).toContain(`--dtr-storage-volume ${f.source}`);
    expect(dryRun.stdout).not.toContain(secrets.ucpPassword);
    const human = await cliInProcess(['status', '--state-dir', f.stateDir], {});
    expect(human.stdout).toContain(
      'Rollback: possible: `dtr-migrate rollback` would restore DTR onto the old storage, then put the GC schedule back; the backup and the copy stay in place',
    );

    const unconfirmed = await rollbackInProcess(f, { yes: true, docker });
    expect(unconfirmed.error?.code).toBe('CONFIRMATION_REQUIRED');
    expect(unconfirmed.code).toBe(6);
    expect(unconfirmed.io.of('confirm-destroy')[0]?.protections.join('\n')).toContain('re-checked just now');
    expect(docker.commands(restoreOnto(f.source))).toEqual([]);

    // In the wizard: the replica id typed, as for the migration's destroy (a typo is asked again).
    const answers = { start: true, 'confirm:rollback-restore': ['0000', f.mock.replicaId] };
    const run = await rollbackInProcess(f, { answers, docker });
    expect(run.error?.message).toBeUndefined();
    expect(run.io.started()).toEqual(['rollback-restore', 'rollback-gc']);
    expect(docker.commands(restoreOnto(f.source))).toHaveLength(1);
    expect(f.mock.state.installed).toBe(true);
    expect(f.mock.state.storage).toEqual({ kind: 'path', path: f.source });
    expect(tagsNow(f)).toEqual(await tagsBefore(f));
    expect(tagsNow(f).length).toBeGreaterThan(0);
    expect(f.mock.state.crons.map((c) => `${c.action} ${c.schedule}`)).toEqual(gcBefore);
    await access(join(f.stateDir, 'inventory-rollback.json'));
    const journal = await journalOf(f);
    expect(journal.rollback).toMatchObject({ procedure: 'after-destroy' });
    expect(journal.rollback?.completedAt).toBeDefined();
    expect(journal.steps['rollback-restore']?.facts?.join('\n')).toContain(
      `serves images from the old storage, ${f.source}`,
    );
  });

  it('a rollback killed while it restored resumes: the restore is checked, not repeated; migrate waits for it', async () => {
    f = await migrationFixture();
    let killed = false;
    const docker = new FakeDocker([
      failingRestoreOntoTarget(f),
      {
        when: restoreOnto(f.source),
        // The docker client dies once the restore is done: nobody saw it finish.
        answer: () => (killed ? 'stand-in' : ((killed = true), { killed: 'after' as const })),
      },
    ]);
    await destroyedByAFailedRestore(docker);
    const confirm = { confirmDestroy: f.mock.replicaId };
    const first = await rollbackInProcess(f, { yes: true, flags: confirm, docker });
    expect(first.code).not.toBe(0);
    expect((await journalOf(f)).steps['rollback-restore']?.status).not.toBe('verified');

    const migrate = await migrateInProcess(f, { yes: true, flags: confirm, docker });
    expect(migrate.error?.code).toBe('STEP_LOCKED');
    expect(migrate.error?.message).toContain('rollback');

    const resumed = await rollbackInProcess(f, { yes: true, flags: confirm, docker });
    expect(resumed.error?.message).toBeUndefined();
    expect(resumed.io.of('step-done').find((e) => e.id === 'rollback-restore')?.facts[0]).toBe(
      'found already done by an earlier run',
    );
    expect(docker.commands(restoreOnto(f.source))).toHaveLength(1);
    expect(f.mock.state.storage).toEqual({ kind: 'path', path: f.source });
    expect(tagsNow(f)).toEqual(await tagsBefore(f));
  });

  it('after a restore whose check failed (tags lost): DTR, running on the new storage, goes back to the old one', async () => {
    f = await migrationFixture();
    const lost = f.mock.state.repositories[0]!;
    f.mock.state.dropTagsOnRestore = [`${lost.namespace}/${lost.name}:${lost.tags[0]!.name}`];
    const docker = new FakeDocker();
    const run = await migrateInProcess(f, { yes: true, flags: { confirmDestroy: f.mock.replicaId }, docker });
    expect(run.error?.code).toBe('VERIFY_FAILED');
    expect(f.mock.state.storage).toEqual({ kind: 'path', path: f.target });
    f.mock.state.dropTagsOnRestore = [];
    const back = await rollbackInProcess(f, { yes: true, flags: { confirmDestroy: f.mock.replicaId }, docker });
    expect(back.error?.message).toBeUndefined();
    expect(docker.commands(bootstrapper('destroy'))).toHaveLength(2);
    expect(f.mock.state.storage).toEqual({ kind: 'path', path: f.source });
    expect(tagsNow(f)).toEqual(await tagsBefore(f));
  });

  it('is not offered once DTR runs on the new storage, verified', async () => {
    f = await migrationFixture();
    const done = await migrateInProcess(f, { yes: true, flags: { confirmDestroy: f.mock.replicaId } });
    expect(done.code).toBe(0);
    const run = await rollbackInProcess(f, { yes: true, flags: { confirmDestroy: f.mock.replicaId } });
    expect(run.error?.code).toBe('STEP_LOCKED');
    expect(run.error?.message).toContain('restore verified');
    expect(f.mock.state.storage).toEqual({ kind: 'path', path: f.target });
  });
});
