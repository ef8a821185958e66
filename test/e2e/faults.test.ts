/**
 * Bootstrapper and docker faults, through the real CLI against the mock DTR: a backup that exits 1 or
 * writes a truncated tar, a destroy that fails before or half-way, a restore that fails, a docker
 * binary that is missing or not executable. Each must end in exit 1 with one line of cause and one of
 * fix, the step `failed` in the journal, and a `migrate` that completes once the fault is gone.
 * Also: the `--fault` flags of `dtr-migrate mock-dtr`.
 */
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { setBootstrapperFaults } from '../../src/mock-dtr/faults.js';
import type { MockBootstrapperFaults } from '../../src/mock-dtr/types.js';
import { jsonEvents, runCli } from '../helpers/cli.js';
import { destroyRuns, expectCleanFailure, expectMigrated, finishArgs, jobPosts, journalOf, tagsOf } from '../helpers/fault-checks.js';
import { migrationFixture } from '../helpers/mock-migration.js';

interface FaultRow {
  readonly name: string;
  readonly step: 'backup' | 'restore';
  readonly cause: RegExp;
  readonly hint?: RegExp;
  /** Bootstrapper faults to set, or extra CLI arguments that make docker unusable. */
  readonly bootstrapper?: MockBootstrapperFaults;
  readonly dockerBin?: (dir: string) => Promise<string>;
  /** DTR is installed after the failed run (false: the fault left it destroyed, in part or whole). */
  readonly installedAfter: boolean;
}

const rows: readonly FaultRow[] = [
  { name: 'backup exits 1', step: 'backup', bootstrapper: { backup: 'exit' }, cause: /the backup failed: .*exited with code 1: .*failed to back up/, installedAfter: true },
  { name: 'backup exits 0 with a truncated tar', step: 'backup', bootstrapper: { backup: 'truncate' }, cause: /backup exited 0, but its output is not a whole backup: .*cut off/, installedAfter: true },
  { name: 'destroy fails before removing anything', step: 'restore', bootstrapper: { destroy: 'fail' }, cause: /destroy failed: .*nothing was removed/, installedAfter: true },
  { name: 'destroy fails half-way', step: 'restore', bootstrapper: { destroy: 'half' }, cause: /destroy failed: .*removed 4 of 9 containers/, installedAfter: false },
  { name: 'restore fails', step: 'restore', bootstrapper: { restore: 'fail' }, cause: /restore failed: .*nothing was installed/, installedAfter: false },
  {
    name: 'the docker binary is missing',
    step: 'backup',
    dockerBin: async (dir) => join(dir, 'no-such-docker'),
    cause: /needs docker, but ".*no-such-docker" was not found/,
    hint: /→ .*--docker-bin/,
    installedAfter: true,
  },
  {
    name: 'the docker binary is not executable',
    step: 'backup',
    dockerBin: async (dir) => {
      const file = join(dir, 'docker-not-executable');
      await writeFile(file, '#!/bin/sh\nexit 0\n');
      await chmod(file, 0o644);
      return file;
    },
    cause: /needs docker, but ".*docker-not-executable" is not executable/,
    hint: /→ .*(chmod \+x|--docker-bin)/,
    installedAfter: true,
  },
];

describe.concurrent('bootstrapper and docker faults: a clear failure, then a resume that completes', () => {
  it.for(rows)('$name', { timeout: 180_000 }, async (row, ctx) => {
    const f = await migrationFixture();
    ctx.onTestFinished(() => f.close());
    const tagsBefore = tagsOf(f.mock);
    const finish = await finishArgs(f);
    if (row.bootstrapper !== undefined) setBootstrapperFaults(f.mock.state, row.bootstrapper);
    const badDocker = row.dockerBin === undefined ? [] : ['--docker-bin', await row.dockerBin(f.root)];

    const failed = await runCli(['migrate', ...f.args, ...badDocker, ...finish], { env: f.env });
    expectCleanFailure(failed, 1, row.cause, row.hint);
    expect(failed.stderr.split('\n').filter((line) => line.includes('Error:'))).toHaveLength(1);
    const journal = await journalOf(f.stateDir);
    expect(journal.steps[row.step]?.status).toBe('failed');
    expect(Object.values(journal.steps).filter((s) => s.status === 'running')).toEqual([]);
    expect(f.mock.state.installed).toBe(row.installedAfter);

    setBootstrapperFaults(f.mock.state, undefined);
    const resumed = await runCli(['migrate', ...f.args, ...finish], { env: f.env, timeoutMs: 120_000 });
    expect(resumed.code, resumed.stderr).toBe(0);
    await expectMigrated(f, tagsBefore);
    expect(jobPosts(f.mock)).toBe(1);
    expect(destroyRuns(f.mock)).toBeLessThanOrEqual(row.step === 'restore' ? 2 : 1);
  });
});

interface MockInfo {
  readonly url: string;
  readonly version: string;
  readonly dockerBin: string;
  readonly dockerEnv: Record<string, string>;
  readonly storageDir: string;
  readonly faults: string[];
}

describe('dtr-migrate mock-dtr --fault', () => {
  it('serves a mock whose backup fails, as asked on the command line', async () => {
    const seen: { info?: MockInfo } = {};
    const root = await mkdtemp(join(tmpdir(), 'dtr-mock-fault-'));
    let migrate: Awaited<ReturnType<typeof runCli>> | undefined;
    const env = { DTR_TOKEN: 'ci-token-2', UCP_PASSWORD: 'ci-ucp-password-2' };
    try {
      const served = await runCli(['mock-dtr', '--json', '--admin-token', env.DTR_TOKEN, '--storage-dir', join(root, 'source'), '--fault', 'backup=exit,times=1', '--fault', 'job=never'], {
        env: { UCP_PASSWORD: env.UCP_PASSWORD },
        onOutput: (text, child) => {
          if (seen.info !== undefined) return;
          const i = JSON.parse(text.split('\n')[0] ?? '') as MockInfo;
          seen.info = i;
          const args = ['migrate', '--dtr-url', i.url, '--username', 'admin', '--ucp-url', i.url, '--ucp-username', 'admin', '--ucp-insecure-tls', '--dtr-version', i.version];
          args.push('--docker-bin', i.dockerBin, '--source-storage', i.storageDir, '--target-storage', join(root, 'target'), '--state-dir', join(root, 'state'), '--yes', '--json');
          void runCli(args, { env: { ...env, ...i.dockerEnv } })
            .then((run) => {
              migrate = run;
            })
            .finally(() => child.kill('SIGTERM'));
        },
      });
      expect(served.code).toBe(0);
      expect(seen.info?.faults).toEqual(['backup=exit,times=1', 'job=never']);
      expect(migrate?.code).toBe(1);
      const result = jsonEvents(migrate?.stdout ?? '').at(-1);
      expect(result).toMatchObject({ event: 'result', ok: false, exitCode: 1, error: { code: 'DOCKER_FAILED' } });
      expect(String((result?.['error'] as { message: string }).message)).toContain('failed to back up');
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });

  it('refuses a fault it does not know, naming the ones it does', async () => {
    const run = await runCli(['mock-dtr', '--fault', 'backup=explode']);
    expectCleanFailure(run, 2, /--fault backup=explode: backup= takes exit or truncate or slow/, /→ Faults: .*destroy=fail\|half/);
  });
});
