/**
 * The docker stand-in, run in this process, on what depends on the product and the version: the
 * bootstrapper image must come from the repository the DTR's own images come from (Docker Hub has no
 * docker/dtr for MSR, an air-gapped host pulls nothing), restore refuses a terminal (-t), a job the
 * backup saw running comes back worker_dead, and `docker volume create` makes the NFS-backed volume
 * the 2.6.0-2.6.3 workaround names.
 */
import { PassThrough, Readable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import {
  backupCommand,
  destroyCommand,
  inspectVolumeOptionsCommand,
  nfsVolumeCreateCommand,
  restoreCommand,
  type BootstrapperTarget,
  type DockerCommand,
} from '../../../src/docker/dtr-commands.js';
import { runDockerStandIn } from '../../../src/mock-dtr/docker-stand-in.js';
import { jobStatus } from '../../../src/mock-dtr/jobs.js';
import { startMockDtr } from '../../../src/mock-dtr/server.js';
import type { MockDtr, MockDtrOptions } from '../../../src/mock-dtr/types.js';

const started: MockDtr[] = [];
afterEach(async () => {
  for (const m of started.splice(0)) await m.close();
});

async function mock(
  options: MockDtrOptions,
): Promise<{ m: MockDtr; target: (repository: string) => BootstrapperTarget }> {
  const m = await startMockDtr({ ucp: { username: 'ucp', password: 'pw' }, ...options });
  started.push(m);
  const target = (repository: string): BootstrapperTarget => ({
    repository,
    version: m.version,
    replicaId: m.replicaId,
    ucpPassword: 'pw',
    ucp: { url: 'https://ucp.example.com', username: 'ucp', insecureTls: true },
  });
  return { m, target };
}

async function docker(m: MockDtr, command: DockerCommand, input = Buffer.alloc(0)) {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  stdout.on('data', (c: Buffer) => out.push(c));
  stderr.on('data', (c: Buffer) => err.push(c));
  const env = { ...m.dockerEnv, ...command.env };
  const code = await runDockerStandIn(command.args, { env, stdin: Readable.from([input]), stdout, stderr });
  return { code, stdout: Buffer.concat(out), stderr: Buffer.concat(err).toString() };
}

describe('the docker stand-in by product and version', () => {
  it("runs MSR's bootstrapper only from mirantis/, failing docker/dtr as a pull would", async () => {
    const { m, target } = await mock({ version: '2.8.4' });
    const hub = await docker(m, backupCommand(target('docker/dtr')));
    expect(hub.code).toBe(125);
    expect(hub.stderr).toContain("Unable to find image 'docker/dtr:2.8.4' locally");
    expect(hub.stderr).toContain('pull access denied for docker/dtr');
    expect((await docker(m, backupCommand(target('mirantis/dtr')))).code).toBe(0);
  });

  it('refuses a restore run with a terminal, and brings back jobs the backup saw running as worker_dead', async () => {
    const { m, target } = await mock({ version: '2.7.8', runningGcJobMs: 3_600_000 });
    const t = target('docker/dtr');
    const backup = await docker(m, backupCommand(t));
    expect((await docker(m, destroyCommand(t))).code).toBe(0);
    const restore = restoreCommand(
      t,
      { kind: 'volume', volume: '/mnt/new' },
      { externalUrl: 'https://dtr.example.com' },
    );
    const tty = await docker(m, { ...restore, args: restore.args.map((a) => (a === '-i' ? '-it' : a)) }, backup.stdout);
    expect(tty.code).toBe(1);
    expect(tty.stderr).toContain('unexpected end of file');
    expect((await docker(m, restore, backup.stdout)).code).toBe(0);
    expect(m.state.settings.dtrHost).toBe('dtr.example.com');
    expect(m.state.jobs.map((job) => jobStatus(job, Date.now()))).toEqual(['worker_dead']);
  });

  it('makes the NFS-backed volume of the 2.6.0-2.6.3 workaround, which a destroy leaves in place', async () => {
    const { m, target } = await mock({ version: '2.6.2' });
    const created = await docker(m, nfsVolumeCreateCommand('registry-nfs-storage', 'nfs://nas.local/exports/dtr'));
    expect(created.code, created.stderr).toBe(0);
    expect(created.stdout.toString()).toBe('registry-nfs-storage\n');
    await docker(m, destroyCommand(target('docker/dtr')));
    const options = await docker(m, inspectVolumeOptionsCommand('registry-nfs-storage'));
    expect(JSON.parse(options.stdout.toString())).toEqual({
      type: 'nfs',
      o: 'addr=nas.local,rw',
      device: ':/exports/dtr',
    });
  });
});
