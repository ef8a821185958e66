/**
 * The runner in this process, against the mock DTR and the FakeDocker: the verify gate, the destroy
 * confirmation (by flag and at the prompt), resuming from what a probe finds, steps reopened when a
 * protection no longer holds, and --redo. The same behaviour through a real process, terminal or
 * signal is tested in test/e2e.
 */
import { readFile, rm } from 'node:fs/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { blobPath } from '../../src/inventory/storage-manifests.js';
import { FakeDocker } from '../helpers/fake-docker.js';
import { confirmed, journalOf, migrateInProcess } from '../helpers/in-process.js';
import { migrationFixture, stepOrder, type MigrationFixture } from '../helpers/mock-migration.js';

let f: MigrationFixture;
afterEach(async () => {
  await f?.close();
});

const bootstrapper = (command: string): RegExp => new RegExp(`^run .* docker/dtr:\\S+ ${command}\\b`);

/** Takes one layer of a tagged image out of the new storage. */
async function removeALayer(fixture: MigrationFixture): Promise<string> {
  const tag = fixture.mock.state.repositories.flatMap((r) => r.tags).find((t) => t.mediaType.includes('manifest.v2'));
  if (tag === undefined) throw new Error('the sample has no image manifest');
  const manifest = JSON.parse(await readFile(blobPath(fixture.target, tag.digest), 'utf8')) as {
    layers: Array<{ digest: string }>;
  };
  const layer = manifest.layers[0]!.digest;
  await rm(blobPath(fixture.target, layer));
  return layer;
}

describe('the runner, in process', () => {
  it('runs the best practice to the end with --yes and the confirmation, each bootstrapper command once', async () => {
    f = await migrationFixture();
    const docker = new FakeDocker();
    const run = await migrateInProcess(f, { yes: true, flags: confirmed(f), docker });
    expect(run.error?.message).toBeUndefined();
    expect(run.io.started()).toEqual([...stepOrder]);
    for (const command of ['backup', 'destroy', 'restore'])
      expect(docker.commands(bootstrapper(command))).toHaveLength(1);
    expect(f.mock.state.storage).toEqual({ kind: 'path', path: f.target });
    const journal = await journalOf(f);
    expect(Object.values(journal.steps).filter((s) => s.status === 'verified')).toHaveLength(6);
    // A second run finds everything verified and changes nothing.
    const again = await migrateInProcess(f, { yes: true, docker });
    expect(again.code).toBe(0);
    expect(again.io.started()).toEqual([]);
    expect(docker.commands(bootstrapper('destroy'))).toHaveLength(1);
  });

  it('stops at the gate without a confirmation, and destroys nothing on a wrong one', async () => {
    f = await migrationFixture();
    const docker = new FakeDocker();
    const unconfirmed = await migrateInProcess(f, { yes: true, docker });
    expect(unconfirmed.code).toBe(6);
    expect(unconfirmed.error?.code).toBe('CONFIRMATION_REQUIRED');
    expect(unconfirmed.io.of('confirm-destroy')).toHaveLength(1);
    const wrong = await migrateInProcess(f, { yes: true, flags: { confirmDestroy: '000000000000' }, docker });
    expect(wrong.error?.code).toBe('CONFIRMATION_MISMATCH');
    expect(wrong.error?.message).toContain(`does not match replica ${f.mock.replicaId}`);
    expect(docker.commands(bootstrapper('destroy'))).toEqual([]);
    expect(f.mock.state.installed).toBe(true);
    expect((await journalOf(f)).steps['restore']?.attempts).toBe(0);
  });

  it('asks for the replica id at the prompt, and typos destroy nothing', async () => {
    f = await migrationFixture();
    const docker = new FakeDocker();
    const answers = { procedure: 'best-practice', start: true, 'input:restoreGc': true };
    const typos = await migrateInProcess(f, { answers: { ...answers, 'confirm:restore': ['x', 'y', 'z'] }, docker });
    expect(typos.error?.code).toBe('CONFIRMATION_MISMATCH');
    expect(docker.commands(bootstrapper('destroy'))).toEqual([]);
    const typed = await migrateInProcess(f, { answers: { ...answers, 'confirm:restore': f.mock.replicaId }, docker });
    expect(typed.code).toBe(0);
    // The procedure was chosen on the first run and is in the journal: it is not asked again.
    expect(typed.io.asked.map((q) => q.key)).toEqual(['start', 'confirm:restore', 'input:restoreGc']);
  });

  it('fails on a question the run was not expected to ask', async () => {
    f = await migrationFixture();
    await expect(migrateInProcess(f, { interactive: true })).rejects.toThrow(/unexpected question "procedure"/);
    expect(f.mock.state.crons.length).toBeGreaterThan(0);
  });

  it('reopens the copy when the new storage lost a blob after it was verified, and redoes it on the next run', async () => {
    f = await migrationFixture();
    const docker = new FakeDocker();
    expect((await migrateInProcess(f, { yes: true, docker })).code).toBe(6);
    const layer = await removeALayer(f);
    const locked = await migrateInProcess(f, { yes: true, flags: confirmed(f), docker });
    expect(locked.error?.code).toBe('STEP_LOCKED');
    expect(locked.error?.reopenSteps).toEqual(['migrate-storage']);
    expect((await journalOf(f)).steps['migrate-storage']?.status).toBe('failed');
    expect(docker.commands(bootstrapper('destroy'))).toEqual([]);
    const again = await migrateInProcess(f, { yes: true, flags: confirmed(f), docker });
    expect(again.code).toBe(0);
    expect(again.io.started()).toContain('migrate-storage');
    expect(await readFile(blobPath(f.target, layer))).toBeTruthy();
  });

  it('checks a restore that finished while nobody watched, and never runs it again', async () => {
    f = await migrationFixture();
    const killedAfter = new FakeDocker([{ when: bootstrapper('restore'), answer: { killed: 'after' } }]);
    const killed = await migrateInProcess(f, { yes: true, flags: confirmed(f), docker: killedAfter });
    expect(killed.code).toBe(1);
    expect(f.mock.state.installed).toBe(true);
    const journal = await journalOf(f);
    expect(journal.steps['restore']?.checkpoint?.['destroyedAt']).toBeDefined();
    expect(journal.steps['restore']?.checkpoint?.['restoredAt']).toBeUndefined();
    const docker = new FakeDocker();
    const resumed = await migrateInProcess(f, { yes: true, flags: confirmed(f), docker });
    expect(resumed.code).toBe(0);
    expect(resumed.io.of('step-done').find((e) => e.id === 'restore')?.facts[0]).toBe(
      'found already done by an earlier run',
    );
    expect(docker.commands(/destroy|restore/)).toEqual([]);
  });

  it('runs a restore again when its command failed, and --redo runs one again from the start', async () => {
    f = await migrationFixture();
    const failing = new FakeDocker([
      { when: bootstrapper('restore'), answer: { exitCode: 1, stderr: 'restore failed' } },
    ]);
    const failed = await migrateInProcess(f, { yes: true, flags: confirmed(f), docker: failing });
    expect(failed.error?.code).toBe('DOCKER_FAILED');
    expect((await journalOf(f)).steps['restore']?.checkpoint?.['restoreFailedAt']).toBeDefined();
    // Killed after a restore that did its work: the probe would find it done, --redo runs it all again.
    const killedAfter = new FakeDocker([{ when: bootstrapper('restore'), answer: { killed: 'after' } }]);
    expect((await migrateInProcess(f, { yes: true, flags: confirmed(f), docker: killedAfter })).code).toBe(1);
    const docker = new FakeDocker();
    const redone = await migrateInProcess(f, { yes: true, flags: { ...confirmed(f), redo: 'restore' }, docker });
    expect(redone.code).toBe(0);
    expect(docker.commands(bootstrapper('destroy'))).toHaveLength(1);
    expect(docker.commands(bootstrapper('restore'))).toHaveLength(1);
    const refused = await migrateInProcess(f, { yes: true, flags: { redo: 'restore' }, docker });
    expect(refused.code).toBe(2);
    expect(refused.error?.message).toContain('that step is verified');
  });

  it('locks a destructive step until every step before it is verified', async () => {
    f = await migrationFixture();
    const backupFails = new FakeDocker([{ when: bootstrapper('backup'), answer: { exitCode: 1, stderr: 'no' } }]);
    const run = await migrateInProcess(f, { yes: true, flags: confirmed(f), docker: backupFails });
    expect(run.error?.code).toBe('DOCKER_FAILED');
    expect(run.io.started()).toEqual(['disable-gc', 'backup']);
    expect(backupFails.commands(bootstrapper('destroy'))).toEqual([]);
  });
});
