/**
 * `status` while a migration runs: it names the step under way and the process running it (pid and
 * host, from the lock), without taking the lock; a lock whose process is gone, or that is held from
 * another host, is said to be so. The migration runs in this process, held inside its backup.
 */
import { spawnSync } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { expectValidStream } from '../helpers/event-schema.js';
import { FakeDocker } from '../helpers/fake-docker.js';
import { migrateInProcess } from '../helpers/in-process.js';
import { mainInProcess } from '../helpers/main-in-process.js';
import { migrationFixture, type MigrationFixture } from '../helpers/mock-migration.js';

let f: MigrationFixture;
afterEach(async () => {
  await f?.close();
});

/** A docker whose backup waits until released: the migration stays inside that step meanwhile. */
function heldBackup(): { docker: FakeDocker; reached: Promise<void>; release: () => void } {
  let reach = (): void => undefined;
  let release = (): void => undefined;
  const reached = new Promise<void>((resolve) => (reach = resolve));
  const released = new Promise<void>((resolve) => (release = resolve));
  const docker = new FakeDocker([
    {
      when: /docker\/dtr:\S+ backup\b/,
      answer: async (): Promise<'stand-in'> => {
        reach();
        await released;
        return 'stand-in';
      },
    },
  ]);
  return { docker, reached, release };
}

describe('status during a live run', () => {
  it('names the step under way and the process running it', async () => {
    f = await migrationFixture();
    const { docker, reached, release } = heldBackup();
    const migration = migrateInProcess(f, { yes: true, docker, flags: { confirmDestroy: f.mock.replicaId } });
    try {
      await reached;
      const text = await mainInProcess(['status', '--state-dir', f.stateDir]);
      expect(text.code).toBe(0);
      expect(text.out).toMatch(
        new RegExp(`Running now, at step \\d+, Back up DTR.*: process ${process.pid} on ${hostname()}`),
      );
      expect(text.out).toContain('once that run is done');
      expect(text.out).not.toContain('Run `dtr-migrate migrate` to continue');
      const json = expectValidStream((await mainInProcess(['status', '--state-dir', f.stateDir, '--json'])).out);
      expect(json.find((e) => e.event === 'status')?.['run']).toMatchObject({
        pid: process.pid,
        host: hostname(),
        running: true,
        step: 'backup',
      });
    } finally {
      release();
    }
    expect((await migration).code).toBe(0);
    // Once the run is over, its lock is gone and status says nothing of it.
    const after = expectValidStream((await mainInProcess(['status', '--state-dir', f.stateDir, '--json'])).out);
    expect(after.find((e) => e.event === 'status')?.['run']).toBeNull();
  });

  it('says when the lock names a process that no longer runs, or one on another host', async () => {
    f = await migrationFixture();
    await mkdir(f.stateDir, { recursive: true });
    const gone = spawnSync(process.execPath, ['-e', '']).pid;
    await writeFile(join(f.stateDir, 'lock'), JSON.stringify({ pid: gone, host: hostname(), startedAt: 'then' }));
    const stale = await mainInProcess(['status', '--state-dir', f.stateDir]);
    expect(stale.out).toContain(`No migration has started in ${f.stateDir}.`);
    expect(stale.out).toContain(`The lock names process ${gone} on ${hostname()} (since then), which no longer runs`);
    expect(stale.out).toContain('--take-over-lock');
    await writeFile(
      join(f.stateDir, 'lock'),
      JSON.stringify({ pid: 4242, host: 'elsewhere.example', startedAt: 'now' }),
    );
    const json = expectValidStream((await mainInProcess(['status', '--state-dir', f.stateDir, '--json'])).out);
    expect(json.find((e) => e.event === 'status')?.['run']).toEqual({
      pid: 4242,
      host: 'elsewhere.example',
      startedAt: 'now',
      running: null,
      step: null,
    });
    expect(json.at(-1)?.['text']).toContain('from this host it cannot be told whether it still runs');
  });
});
