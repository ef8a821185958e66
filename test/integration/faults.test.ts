/**
 * Bootstrapper and docker faults, through the CLI's entry point in this process (cli-in-process.ts; a
 * docker binary other than the mock's stand-in still starts as a process) against the mock DTR: a docker binary that is
 * missing or not executable, a backup that exits 1 or writes a truncated tar, a destroy that fails
 * before or half-way, a restore that fails. Each must end in exit 1 with one line of cause and one of
 * fix, the step `failed` in the journal, and a `migrate` that completes once the fault is gone. The
 * faults that leave DTR running are met one after another by one migration (cheaper on two cores).
 * Also: `dtr-migrate mock-dtr` refuses a `--fault` it does not know. A mock-dtr serving its faults, as a
 * process, is in test/e2e/faults.test.ts.
 */
import { chmod, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { setBootstrapperFaults } from '../../src/mock-dtr/faults.js';
import type { MockBootstrapperFaults } from '../../src/mock-dtr/types.js';
import {
  destroyRuns,
  expectCleanFailure,
  expectMigrated,
  finishArgs,
  jobPosts,
  journalOf,
  faultFixture,
  longTestMs,
  tagsOf,
} from '../helpers/fault-checks.js';
import { runCliInProcess } from '../helpers/cli-in-process.js';
import { migrationFixture, type MigrationFixture } from '../helpers/mock-migration.js';

interface Fault {
  readonly name: string;
  readonly step: 'backup' | 'restore';
  readonly cause: RegExp;
  readonly hint?: RegExp;
  readonly bootstrapper?: MockBootstrapperFaults;
  /** A docker binary that cannot be run, made in `dir`. */
  readonly dockerBin?: (dir: string) => Promise<string>;
}

const faultsThatLeaveDtrUp: readonly Fault[] = [
  {
    name: 'docker missing',
    step: 'backup',
    dockerBin: async (dir) => join(dir, 'no-such-docker'),
    cause: /needs docker, but ".*no-such-docker" was not found/,
    hint: /→ .*--docker-bin/,
  },
  {
    name: 'docker not executable',
    step: 'backup',
    dockerBin: async (dir) => {
      const file = join(dir, 'docker-not-executable');
      await writeFile(file, '#!/bin/sh\nexit 0\n');
      await chmod(file, 0o644);
      return file;
    },
    cause: /needs docker, but ".*docker-not-executable" is not executable/,
    hint: /→ .*(chmod \+x|--docker-bin)/,
  },
  {
    name: 'backup exits 1',
    step: 'backup',
    bootstrapper: { backup: 'exit' },
    cause: /the backup failed: .*exited with code 1: .*failed to back up/,
  },
  {
    name: 'backup truncated',
    step: 'backup',
    bootstrapper: { backup: 'truncate' },
    cause: /backup exited 0, but its output is not a whole backup: .*cut off/,
  },
  {
    name: 'destroy fails',
    step: 'restore',
    bootstrapper: { destroy: 'fail' },
    cause: /destroy failed: .*nothing was removed/,
  },
];

/** One failed run: exit 1, one error line with its cause and a hint, the step failed, none left running. */
async function failsWith(f: MigrationFixture, finish: readonly string[], fault: Fault): Promise<void> {
  setBootstrapperFaults(f.mock.state, fault.bootstrapper);
  const badDocker = fault.dockerBin === undefined ? [] : ['--docker-bin', await fault.dockerBin(f.root)];
  const run = await runCliInProcess(['migrate', ...f.args, ...badDocker, ...finish], { env: f.env });
  expectCleanFailure(run, 1, fault.cause, fault.hint);
  expect(
    run.stderr.split('\n').filter((line) => line.includes('Error:')),
    fault.name,
  ).toHaveLength(1);
  const journal = await journalOf(f.stateDir);
  expect(journal.steps[fault.step]?.status, fault.name).toBe('failed');
  expect(
    Object.values(journal.steps).filter((s) => s.status === 'running'),
    fault.name,
  ).toEqual([]);
  setBootstrapperFaults(f.mock.state, undefined);
}

// Concurrent: the two tests that leave DTR down spend most of their time waiting on retries, not computing.
describe.concurrent(
  'bootstrapper and docker faults: a clear failure, then a resume that completes',
  { timeout: longTestMs },
  () => {
    it(`${faultsThatLeaveDtrUp.map((x) => x.name).join(', ')}: each stops its step; DTR stays up; then it completes`, async (ctx) => {
      const { f, finish, tags } = await faultFixture(ctx);
      for (const fault of faultsThatLeaveDtrUp) {
        await failsWith(f, finish, fault);
        expect(f.mock.state.installed, fault.name).toBe(true);
        expect(f.mock.state.storage, fault.name).toEqual({ kind: 'path', path: f.source });
      }
      // A confirmation is for one run: neither kept in the journal nor taken from it, so --yes alone stops.
      const { inputs } = await journalOf(f.stateDir);
      expect(inputs).toHaveProperty('replicaId', f.mock.replicaId);
      expect(inputs).not.toHaveProperty('confirmDestroy');
      const unconfirmed = await runCliInProcess(
        [
          'migrate',
          ...f.args,
          '--yes',
          ...finish.filter((a) => a !== '--yes' && a !== '--confirm-destroy' && a !== f.mock.replicaId),
        ],
        { env: f.env },
      );
      expectCleanFailure(
        unconfirmed,
        6,
        /needs an explicit confirmation; nothing was destroyed/,
        /→ .*--confirm-destroy/,
      );
      expect(destroyRuns(f.mock)).toBe(1);
      const resumed = await runCliInProcess(['migrate', ...f.args, ...finish], { env: f.env });
      expect(resumed.code, resumed.stderr).toBe(0);
      await expectMigrated(f, tags);
      expect(jobPosts(f.mock)).toBe(1);
      expect(destroyRuns(f.mock)).toBe(2);
    });

    // Both leave DTR down. The resume must destroy again (a no-op on a destroyed DTR) and restore.
    it.each<[string, Fault]>([
      [
        'destroy fails half-way',
        {
          name: 'destroy half',
          step: 'restore',
          bootstrapper: { destroy: 'half' },
          cause: /destroy failed: .*removed 4 of 9 containers/,
        },
      ],
      [
        'restore fails after destroy',
        {
          name: 'restore fails',
          step: 'restore',
          bootstrapper: { restore: 'fail' },
          cause: /restore failed: .*nothing was installed/,
        },
      ],
    ])('%s: DTR is left down, and the resume still completes', async (_name, fault) => {
      const f = await migrationFixture();
      try {
        const finish = await finishArgs(f);
        const tags = tagsOf(f.mock);
        await failsWith(f, finish, fault);
        expect(f.mock.state.installed).toBe(false);
        if (fault.name === 'destroy half') {
          // The backup was changed after a destroy started: no new backup can be taken from what is left.
          const backup = String((await journalOf(f.stateDir)).steps['backup']?.output?.['file']);
          const original = await readFile(backup);
          await writeFile(backup, original.subarray(0, original.length - 1));
          const locked = await runCliInProcess(['migrate', ...f.args, ...finish], { env: f.env });
          expectCleanFailure(
            locked,
            1,
            /partly destroyed or reconfigured on an earlier run, so no new backup can be taken/,
            /→ Put the verified backup back at /,
          );
          expect((await journalOf(f.stateDir)).steps['backup']?.status).toBe('verified');
          await writeFile(backup, original);
        }
        const resumed = await runCliInProcess(['migrate', ...f.args, ...finish], { env: f.env });
        expect(resumed.code, resumed.stderr).toBe(0);
        await expectMigrated(f, tags);
        expect(destroyRuns(f.mock)).toBeLessThanOrEqual(2);
      } finally {
        await f.close();
      }
    });
  },
);

describe('a restore whose check fails', { timeout: longTestMs }, () => {
  it('is reported, and a resume checks again instead of destroying and restoring a second time', async (ctx) => {
    const { f, finish, tags } = await faultFixture(ctx);
    const repository = f.mock.state.repositories[0];
    const tag = repository?.tags[0];
    if (repository === undefined || tag === undefined) throw new Error('the sample registry has no tag');
    f.mock.state.dropTagsOnRestore = [`${repository.namespace}/${repository.name}:${tag.name}`];
    const first = await runCliInProcess(['migrate', ...f.args, ...finish], { env: f.env });
    expectCleanFailure(first, 1, new RegExp(`lost: ${repository.namespace}/${repository.name}:${tag.name}`));
    expect(f.mock.state.installed).toBe(true);
    expect(destroyRuns(f.mock)).toBe(1);
    const again = await runCliInProcess(['migrate', ...f.args, ...finish], { env: f.env });
    expectCleanFailure(
      again,
      1,
      /an earlier run did it, but its check did not pass: .*lost: .*; it is not repeated/,
      /→ .*--redo restore/,
    );
    expect(destroyRuns(f.mock)).toBe(1);
    expect((await journalOf(f.stateDir)).steps['restore']?.status).toBe('failed');
    // The operator's way out, explicit and still behind the confirmation: restore again from the backup.
    f.mock.state.dropTagsOnRestore = [];
    const redone = await runCliInProcess(['migrate', ...f.args, ...finish, '--redo', 'restore'], { env: f.env });
    expect(redone.code, redone.stderr).toBe(0);
    expect(destroyRuns(f.mock)).toBe(2);
    await expectMigrated(f, tags);
    const verified = await runCliInProcess(['migrate', ...f.args, ...finish, '--redo', 'restore'], { env: f.env });
    expectCleanFailure(verified, 2, /--redo restore: that step is verified, and is never run again/);
    expect(destroyRuns(f.mock)).toBe(2);
  });
});

describe('dtr-migrate mock-dtr --fault', () => {
  it('refuses a fault it does not know, naming the ones it does', async () => {
    const run = await runCliInProcess(['mock-dtr', '--fault', 'backup=explode']);
    expectCleanFailure(
      run,
      2,
      /--fault backup=explode: backup= takes exit or truncate or slow/,
      /→ Faults: .*destroy=fail\|half/,
    );
  });
});
