/**
 * The docker stand-in (bin/dtr-mock-docker.js, compiled: run `npm run build` first) driven with the exact
 * command lines dtr-migrate builds (src/docker/dtr-commands.ts), against an in-process mock DTR.
 */
import { existsSync } from 'node:fs';
import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { beforeAll, describe, it, type TestContext } from 'vitest';
import { tagPageSchema } from '../../src/api/schemas.js';
import { inspectTar } from '../../src/backup/tar.js';
import {
  backupCommand,
  destroyCommand,
  inspectEnvCommand,
  inspectMountsCommand,
  inspectVolumeOptionsCommand,
  listReplicaContainersCommand,
  reconfigureCommand,
  restoreCommand,
  type BootstrapperTarget,
} from '../../src/docker/dtr-commands.js';
import { defaultBootstrapperRepository } from '../../src/dtr/facts.js';
import { startMockDtr, type MockDtr, type MockDtrOptions } from '../../src/mock-dtr/index.js';
import { call, closeAgent } from '../unit/mock-dtr/http.js';

interface Run {
  readonly exitCode: number;
  readonly stdout: Buffer;
  readonly stderr: string;
}

beforeAll(() => {
  const compiled = new URL('../../dist/mock-dtr/docker-stand-in.js', import.meta.url);
  if (!existsSync(compiled)) throw new Error('dist/ is missing: run `npm run build` before this test');
});

/** A mock DTR on a fresh sample storage, torn down when the test ends (tests run concurrently). */
async function setUp(
  ctx: TestContext,
  options: MockDtrOptions = {},
): Promise<{ mock: MockDtr; dir: string; target: BootstrapperTarget }> {
  const dir = await mkdtemp(join(tmpdir(), 'stand-in-'));
  const mock = await startMockDtr({
    storageDir: join(dir, 'storage'),
    ucp: { username: 'ucp-admin', password: 'ucp-s3cret-pw' },
    ...options,
  });
  ctx.onTestFinished(async () => {
    await closeAgent(mock);
    await mock.close();
    await rm(dir, { recursive: true, force: true });
  });
  const ucp =
    mock.caCertPem === undefined
      ? { url: 'https://ucp.example.com', username: 'ucp-admin', insecureTls: true }
      : { url: 'https://ucp.example.com', username: 'ucp-admin', ca: mock.caCertPem };
  const repository = defaultBootstrapperRepository(mock.version);
  return {
    mock,
    dir,
    target: { repository, version: mock.version, ucp, ucpPassword: 'ucp-s3cret-pw', replicaId: mock.replicaId },
  };
}

async function docker(
  mock: MockDtr,
  command: { args: readonly string[]; env: Readonly<Record<string, string>> },
  input?: Buffer,
): Promise<Run> {
  const result = await execa(mock.dockerBin, command.args, {
    env: { PATH: process.env.PATH ?? '', ...mock.dockerEnv, ...command.env },
    extendEnv: false,
    reject: false,
    encoding: 'buffer',
    stripFinalNewline: false,
    ...(input === undefined ? { stdin: 'ignore' as const } : { input }),
  });
  const run = {
    exitCode: result.exitCode ?? -1,
    stdout: Buffer.from(result.stdout),
    stderr: Buffer.from(result.stderr).toString('utf8'),
  };
  // Whatever happens, the stand-in never prints a secret.
  for (const secret of ['ucp-s3cret-pw', 'wrong-pw-123', mock.credentials.admin.token]) {
    if (run.stderr.includes(secret) || run.stdout.includes(secret))
      throw new Error(`the stand-in printed a secret running ${command.args.join(' ')}`);
  }
  return run;
}

const tagsOf = async (mock: MockDtr) => {
  const repo = mock.state.repositories[0];
  const answer = await call(mock, `/api/v0/repositories/${repo?.namespace}/${repo?.name}/tags`);
  return tagPageSchema.parse(answer.json()).map((t) => [t.name, t.digest]);
};

describe.concurrent('docker stand-in: the migration path', () => {
  it('backs up, destroys and restores onto a new folder over HTTPS', async (ctx) => {
    const { expect } = ctx;
    const { mock, dir, target } = await setUp(ctx, { tls: true });
    const before = await tagsOf(mock);
    expect(before.length).toBeGreaterThan(0);

    const backup = await docker(mock, backupCommand(target));
    expect(backup.exitCode, backup.stderr).toBe(0);
    const tarPath = join(dir, 'backup.tar');
    await writeFile(tarPath, backup.stdout);
    const inspection = await inspectTar(tarPath);
    expect(inspection.ok).toBe(true);
    expect(inspection.entries.length).toBeGreaterThan(0);

    const destroy = await docker(mock, destroyCommand(target));
    expect(destroy.exitCode, destroy.stderr).toBe(0);
    expect(mock.state.installed).toBe(false);
    expect((await call(mock, '/api/v0/meta/settings')).status).toBe(503);
    const again = await docker(mock, destroyCommand(target));
    expect(again.exitCode).toBe(0);
    expect(again.stderr).toContain('nothing to destroy');

    const newStorage = join(dir, 'new-storage');
    const restore = await docker(
      mock,
      restoreCommand(target, { kind: 'volume', volume: newStorage }, { ucpNode: 'node-1' }),
      backup.stdout,
    );
    expect(restore.exitCode, restore.stderr).toBe(0);
    expect(mock.state.installed).toBe(true);
    expect(await tagsOf(mock)).toEqual(before);

    const mounts = await docker(mock, inspectMountsCommand(target.replicaId));
    expect(mounts.exitCode).toBe(0);
    const storageMount = (JSON.parse(mounts.stdout.toString()) as Array<Record<string, unknown>>).find(
      (m) => m.Destination === '/storage',
    );
    expect(storageMount).toMatchObject({ Type: 'bind', Source: newStorage });
  });

  it('restores onto NFS, which inspect and volume inspect then report', async (ctx) => {
    const { expect } = ctx;
    const { mock, target } = await setUp(ctx);
    const backup = await docker(mock, backupCommand(target));
    await docker(mock, destroyCommand(target));
    const restore = await docker(
      mock,
      restoreCommand(target, { kind: 'nfs', url: 'nfs://nas.local/exports/dtr' }, {}),
      backup.stdout,
    );
    expect(restore.exitCode, restore.stderr).toBe(0);
    const mounts = JSON.parse((await docker(mock, inspectMountsCommand(target.replicaId))).stdout.toString()) as Array<
      Record<string, unknown>
    >;
    const volume = `dtr-registry-nfs-${target.replicaId}`;
    expect(mounts.find((m) => m.Destination === '/storage')).toMatchObject({ Type: 'volume', Name: volume });
    const options = await docker(mock, inspectVolumeOptionsCommand(volume));
    expect(options.exitCode).toBe(0);
    expect(JSON.parse(options.stdout.toString())).toEqual({
      type: 'nfs',
      o: 'addr=nas.local,nfsvers=4',
      device: ':/exports/dtr',
    });
  });

  it('keeps tags on reconfigure --storage-migrated and wipes them without it', async (ctx) => {
    const { expect } = ctx;
    const { mock, target } = await setUp(ctx);
    const before = await tagsOf(mock);
    const migrated = await docker(mock, reconfigureCommand(target, { kind: 'nfs', url: 'nfs://nas/a' }, 'migrated'));
    expect(migrated.exitCode, migrated.stderr).toBe(0);
    expect(await tagsOf(mock)).toEqual(before);
    expect(mock.state.storage).toMatchObject({ kind: 'nfs', host: 'nas', path: '/a' });
    const wiped = await docker(mock, reconfigureCommand(target, { kind: 'volume', volume: 'dtr-other' }, 'plain'));
    expect(wiped.exitCode).toBe(0);
    expect(wiped.stderr).toContain('tags erased');
    expect(await tagsOf(mock)).toEqual([]);
  });

  it('on MSR 2.9 keeps tags only when the new storage is a copy, and reinitializes on request', async (ctx) => {
    const { expect } = ctx;
    const { mock, dir, target } = await setUp(ctx, { version: '2.9.0' });
    const before = await tagsOf(mock);
    const empty = await docker(
      mock,
      reconfigureCommand(target, { kind: 'volume', volume: join(dir, 'empty') }, 'plain'),
    );
    expect(empty.exitCode).not.toBe(0);
    expect(empty.stderr).toContain('not an exact copy');
    const copy = join(dir, 'copy');
    await cp(join(dir, 'storage'), copy, { recursive: true });
    const plain = await docker(mock, reconfigureCommand(target, { kind: 'volume', volume: copy }, 'plain'));
    expect(plain.exitCode, plain.stderr).toBe(0);
    expect(await tagsOf(mock)).toEqual(before);
    const reinitialized = await docker(
      mock,
      reconfigureCommand(target, { kind: 'volume', volume: join(dir, 'empty') }, 'reinitialize'),
    );
    expect(reinitialized.exitCode, reinitialized.stderr).toBe(0);
    expect(await tagsOf(mock)).toEqual([]);
  });

  it('finds the replica id and version as the documented recipe does', async (ctx) => {
    const { expect } = ctx;
    const { mock, target } = await setUp(ctx);
    const ps = await docker(mock, listReplicaContainersCommand());
    expect(ps.exitCode, ps.stderr).toBe(0);
    expect(ps.stdout.toString()).toBe(`dtr-rethinkdb-${target.replicaId}\n`);
    const env = await docker(mock, inspectEnvCommand(target.replicaId));
    expect(JSON.parse(env.stdout.toString())).toContain(`DTR_VERSION=${mock.version}`);
    await docker(mock, destroyCommand(target));
    expect((await docker(mock, listReplicaContainersCommand())).stdout.toString()).toBe('');
  });
});

describe.concurrent('docker stand-in: refusals', () => {
  it('refuses an unknown flag with the usage', async (ctx) => {
    const { expect } = ctx;
    const { mock, target } = await setUp(ctx);
    const command = backupCommand(target);
    const run = await docker(mock, { ...command, args: [...command.args, '-x'] });
    expect(run.exitCode).not.toBe(0);
    expect(run.stderr).toContain('flag provided but not defined: -x');
    expect(run.stderr).toContain('USAGE:');
  });

  it('refuses a missing or wrong UCP password, a wrong replica id and another version', async (ctx) => {
    const { expect } = ctx;
    const { mock, target } = await setUp(ctx);
    const missing = await docker(mock, { ...backupCommand(target), env: {} });
    expect(missing.exitCode).not.toBe(0);
    expect(missing.stderr).toContain('UCP password is required');
    const wrong = await docker(mock, backupCommand({ ...target, ucpPassword: 'wrong-pw-123' }));
    expect(wrong.exitCode).not.toBe(0);
    expect(wrong.stderr).toContain('invalid username or password');
    const replica = await docker(mock, destroyCommand({ ...target, replicaId: '0000000000ff' }));
    expect(replica.exitCode).not.toBe(0);
    expect(replica.stderr).toContain('replica 0000000000ff not found');
    const version = await docker(mock, backupCommand({ ...target, version: '2.6.3' }));
    expect(version.exitCode).not.toBe(0);
    expect(version.stderr).toContain('bootstrapper version 2.6.3 does not match DTR version 2.6.4');
    expect(mock.state.installed).toBe(true);
  });

  it('refuses a restore while installed, and from a truncated tar', async (ctx) => {
    const { expect } = ctx;
    const { mock, dir, target } = await setUp(ctx);
    const backup = await docker(mock, backupCommand(target));
    const storage = { kind: 'volume', volume: join(dir, 'x') } as const;
    const installed = await docker(mock, restoreCommand(target, storage, {}), backup.stdout);
    expect(installed.exitCode).not.toBe(0);
    expect(installed.stderr).toContain('destroy it first');
    await docker(mock, destroyCommand(target));
    const truncated = await docker(
      mock,
      restoreCommand(target, storage, {}),
      backup.stdout.subarray(0, backup.stdout.length - 700),
    );
    expect(truncated.exitCode).not.toBe(0);
    expect(truncated.stderr).toContain('not a complete tar');
    expect(mock.state.installed).toBe(false);
  });

  it('refuses --storage-migrated on 2.6.3 and --reinitialize-storage before 2.9 as unknown flags', async (ctx) => {
    const { expect } = ctx;
    const { mock, target } = await setUp(ctx, { version: '2.6.3' });
    const run = await docker(mock, reconfigureCommand(target, { kind: 'nfs', url: 'nfs://nas/a' }, 'migrated'));
    expect(run.exitCode).not.toBe(0);
    expect(run.stderr).toContain('flag provided but not defined: -storage-migrated');
    const reinitialize = await docker(
      mock,
      reconfigureCommand(target, { kind: 'nfs', url: 'nfs://nas/a' }, 'reinitialize'),
    );
    expect(reinitialize.stderr).toContain('flag provided but not defined: -reinitialize-storage');
    expect(mock.state.storage.kind).toBe('path');
  });

  it('takes the other docker run option forms, and refuses what docker would', async (ctx) => {
    const { expect } = ctx;
    const { mock, target } = await setUp(ctx);
    const backup = backupCommand(target);
    const image = `docker/dtr:${mock.version}`;
    const rest = backup.args.slice(backup.args.indexOf(image) + 1);
    const forms = await docker(mock, {
      args: ['run', '-it', '--rm', '--log-driver=none', '--env=UCP_PASSWORD', image, ...rest],
      env: backup.env,
    });
    expect(forms.exitCode, forms.stderr).toBe(0);
    expect(forms.stdout.length).toBeGreaterThan(1024);
    const unknown = await docker(mock, { args: ['run', '--name', 'x', image, ...rest], env: backup.env });
    expect(unknown.exitCode).toBe(125);
    expect(unknown.stderr).toContain('unknown flag: --name');
    const other = await docker(mock, { args: ['run', '-i', 'alpine:3', 'sh'], env: {} });
    expect(other.exitCode).toBe(125);
  });

  it('inspects with the Go template subset docker users rely on', async (ctx) => {
    const { expect } = ctx;
    const { mock } = await setUp(ctx);
    const id = mock.replicaId;
    const name = await docker(mock, {
      args: ['container', 'inspect', '--format={{.Name}}', `dtr-rethinkdb-${id}`],
      env: {},
    });
    expect(name.stdout.toString()).toBe(`/dtr-rethinkdb-${id}\n`);
    const whole = await docker(mock, { args: ['container', 'inspect', `dtr-registry-${id}`, 'dtr-nothing'], env: {} });
    expect(whole.exitCode).toBe(1);
    expect(JSON.parse(whole.stdout.toString())).toMatchObject([
      { Name: `/dtr-registry-${id}`, Mounts: expect.any(Array) },
    ]);
    const odd = await docker(mock, {
      args: ['container', 'inspect', '--format', '{{range .Mounts}}{{.Source}}{{end}}', `dtr-registry-${id}`],
      env: {},
    });
    expect(odd.exitCode).toBe(125);
  });

  it('answers like docker for unknown objects, commands and an unreachable daemon', async (ctx) => {
    const { expect } = ctx;
    const { mock } = await setUp(ctx);
    const container = await docker(mock, inspectMountsCommand('0000000000ff'));
    expect(container.exitCode).toBe(1);
    expect(container.stderr).toContain('Error: No such container: dtr-registry-0000000000ff');
    expect((await docker(mock, inspectVolumeOptionsCommand('nope'))).stderr).toContain('No such volume: nope');
    const unknown = await docker(mock, { args: ['images'], env: {} });
    expect(unknown.exitCode).toBe(125);
    expect(unknown.stderr).toContain("docker: 'images' is not a docker command.");
    const version = await docker(mock, { args: ['--version'], env: {} });
    expect(version.stdout.toString()).toMatch(/^Docker version \S+, build \S+\n$/);
    const url = mock.url;
    await mock.close();
    const down = await docker(mock, inspectMountsCommand(mock.replicaId));
    expect(down.exitCode).toBe(1);
    expect(down.stderr).toContain(`Cannot connect to the Docker daemon at ${url}`);
  });
});
