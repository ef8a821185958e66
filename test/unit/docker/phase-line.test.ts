/** The bootstrapper's phase line: the message of its latest log line, in each form logrus writes. */
import { describe, expect, it } from 'vitest';
import { Docker } from '../../../src/docker/docker.js';
import { phaseOf } from '../../../src/docker/phase-line.js';

describe('phaseOf', () => {
  it.each([
    [
      'time="2019-05-14T09:12:01Z" level=info msg="Waiting for running dtr-phase2 container to finish"',
      'Waiting for running dtr-phase2 container to finish',
    ],
    [
      'time="2019-05-14T09:12:01Z" level=warning msg="Node \\"worker-1\\" is not a manager"',
      'warning: Node "worker-1" is not a manager',
    ],
    ['level=info msg=Destroying', 'Destroying'],
    ['INFO[0012] Removing dtr-rethinkdb-0123456789ab', 'Removing dtr-rethinkdb-0123456789ab'],
    ['\x1b[36mINFO\x1b[0m[0003] Starting phase 2', 'Starting phase 2'],
    ['ERRO[0042] Failed to join the cluster', 'erro: Failed to join the cluster'],
    [
      '{"level":"info","msg":"Restoring the metadata store","time":"2019-05-14T09:12:01Z"}',
      'Restoring the metadata store',
    ],
    ["Unable to find image 'docker/dtr:2.6.4' locally", "Unable to find image 'docker/dtr:2.6.4' locally"],
  ])('%s', (line, phase) => {
    expect(phaseOf(line)).toBe(phase);
  });

  it('has nothing to say for an empty line, and keeps a long one to one line', () => {
    expect(phaseOf('   ')).toBeUndefined();
    expect(phaseOf('level=info msg=""')).toBeUndefined();
    const long = phaseOf(`INFO[0001] ${'x'.repeat(500)}`);
    expect(long?.length).toBe(160);
    expect(long?.endsWith('…')).toBe(true);
  });
});

describe('Docker.reporting', () => {
  it("tells each stderr line with the command's purpose, its secret variables masked", async () => {
    const seen: string[] = [];
    const logged: string[] = [];
    const docker = new Docker(
      'docker',
      (line) => logged.push(line),
      {},
      undefined,
      async (_bin, _args, options) => {
        options.onStderrLine?.('INFO[0000] Logging in to UCP with s3cr3t-pass');
        options.onStderrLine?.('INFO[0001] Removing replica 0123456789ab');
        return { exitCode: 0, stdout: '', stderr: '' };
      },
    ).reporting((line, purpose) => seen.push(`${purpose}: ${line}`));
    await docker.run(
      {
        args: ['run', 'docker/dtr:2.6.4', 'destroy'],
        env: { UCP_PASSWORD: 's3cr3t-pass' },
        secretEnv: ['UCP_PASSWORD'],
      },
      { purpose: 'the destroy' },
    );
    expect(seen).toEqual([
      'the destroy: INFO[0000] Logging in to UCP with ****',
      'the destroy: INFO[0001] Removing replica 0123456789ab',
    ]);
    // The log file masks on its own (LogFile.mask); the line reaches it whole.
    expect(logged).toContain('  INFO[0001] Removing replica 0123456789ab');
  });
});
