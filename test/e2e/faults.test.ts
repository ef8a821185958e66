/**
 * `dtr-migrate mock-dtr --fault`, as a process an operator's CI starts: the mock serves the faults asked
 * on its command line, and a real `migrate` against it meets them. The bootstrapper and docker faults
 * themselves are in test/integration/faults.test.ts.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { firstEvent, jsonEvents, type CliRun } from '../helpers/cli.js';
import { longTestMs, runLong } from '../helpers/fault-checks.js';

interface MockInfo {
  readonly url: string;
  readonly version: string;
  readonly dockerBin: string;
  readonly dockerEnv: Record<string, string>;
  readonly storageDir: string;
  readonly faults: string[];
}

describe('dtr-migrate mock-dtr --fault', { timeout: longTestMs }, () => {
  it('serves a mock whose backup fails, as asked on the command line', async () => {
    const seen: { info?: MockInfo } = {};
    const mockInfo = firstEvent('mock-dtr');
    const root = await mkdtemp(join(tmpdir(), 'dtr-mock-fault-'));
    let migrate: CliRun | undefined;
    const env = { DTR_TOKEN: 'ci-token-2', UCP_PASSWORD: 'ci-ucp-password-2' };
    try {
      const served = await runLong(
        [
          'mock-dtr',
          '--json',
          '--admin-token',
          env.DTR_TOKEN,
          '--storage-dir',
          join(root, 'source'),
          '--fault',
          'backup=exit,times=1',
          '--fault',
          'job=never',
        ],
        {
          env: { UCP_PASSWORD: env.UCP_PASSWORD },
          onOutput: (text, child) => {
            if (seen.info !== undefined) return;
            const i = mockInfo(text) as MockInfo | undefined;
            if (i === undefined) return;
            seen.info = i;
            const args = [
              'migrate',
              '--dtr-url',
              i.url,
              '--username',
              'admin',
              '--ucp-url',
              i.url,
              '--ucp-username',
              'admin',
              '--ucp-insecure-tls',
              '--dtr-version',
              i.version,
            ];
            args.push(
              '--docker-bin',
              i.dockerBin,
              '--source-storage',
              i.storageDir,
              '--target-storage',
              join(root, 'target'),
              '--state-dir',
              join(root, 'state'),
              '--yes',
              '--json',
            );
            void runLong(args, { env: { ...env, ...i.dockerEnv } })
              .then((run) => {
                migrate = run;
              })
              .finally(() => child.kill('SIGTERM'));
          },
        },
      );
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
});
