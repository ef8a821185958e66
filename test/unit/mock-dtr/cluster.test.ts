/**
 * The mock as an HA cluster (`replicas: 3`): each replica on its own node with its own containers and
 * volumes, `destroy --replica-id` removing only that replica, restore refused while any replica is
 * left, `join` refused while the cluster is unhealthy (unless --unsafe-join), health per replica in
 * cluster_status. Driven with the command lines dtr-migrate builds, through the docker stand-in run in
 * this process.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  destroyCommand,
  inspectVolumeOnNodeCommand,
  joinCommand,
  type BootstrapperTarget,
  type DockerCommand,
} from '../../../src/docker/dtr-commands.js';
import { registryContainer } from '../../../src/dtr/facts.js';
import { addBootstrapperFault } from '../../../src/mock-dtr/faults.js';
import type { MockDtr } from '../../../src/mock-dtr/types.js';
import { ProcessError } from '../../../src/docker/run-process.js';
import { FakeDocker } from '../../helpers/fake-docker.js';
import { migrationFixture, secrets, type MigrationFixture } from '../../helpers/mock-migration.js';
import { call, closeAgent } from './http.js';

let f: MigrationFixture;
beforeEach(async () => {
  f = await migrationFixture({ replicas: 3 });
});
afterEach(async () => {
  await closeAgent(f.mock);
  await f.close();
});

const target = (mock: MockDtr, replicaId = mock.replicaId): BootstrapperTarget => ({
  repository: 'docker/dtr',
  version: mock.version,
  ucp: { url: 'https://ucp.example.com', username: 'ucpadmin', insecureTls: true },
  ucpPassword: secrets.ucpPassword,
  replicaId,
});

/** Runs one docker command line through the stand-in: its exit code and stderr. */
async function docker(mock: MockDtr, command: DockerCommand): Promise<{ code: number; stderr: string }> {
  try {
    const result = await new FakeDocker().launcher('docker', command.args, {
      env: { ...mock.dockerEnv, ...command.env },
    } as never);
    return { code: result.exitCode, stderr: result.stderr };
  } catch (error) {
    if (error instanceof ProcessError) return { code: error.exitCode ?? -1, stderr: error.stderrTail };
    throw error;
  }
}

async function health(mock: MockDtr): Promise<Record<string, string>> {
  const status = await call(mock, '/api/v0/meta/cluster_status');
  return status.json<{ replica_health: Record<string, string> }>().replica_health;
}

const others = (mock: MockDtr): string[] =>
  Object.keys(mock.state.replicaSettings).filter((id) => id !== mock.replicaId);

describe('mock DTR with 3 replicas', () => {
  it('puts each replica on its own node with its own ports, all healthy', async () => {
    const replicas = f.mock.state.replicaSettings;
    expect(Object.values(replicas).map((r) => r.node)).toEqual(['ucp-node-1', 'ucp-node-2', 'ucp-node-3']);
    expect(replicas[f.mock.replicaId]).toEqual({ HTTPPort: 80, HTTPSPort: 443, node: 'ucp-node-1' });
    expect(new Set(Object.values(replicas).map((r) => r.HTTPSPort)).size).toBe(3);
    expect(Object.values(await health(f.mock))).toEqual(['OK', 'OK', 'OK']);
    const settings = (await call(f.mock, '/api/v0/meta/settings')).json<{ replicaID: string }>();
    expect(settings.replicaID).toBe(f.mock.replicaId);
  });

  it('destroys only the replica named and keeps the others serving', async () => {
    const [second, third] = others(f.mock);
    expect(second).toBeDefined();
    const done = await docker(f.mock, destroyCommand(target(f.mock, second)));
    expect(done.code).toBe(0);
    expect(Object.keys(await health(f.mock)).sort()).toEqual([f.mock.replicaId, third].sort());
    const containers = (await call(f.mock, '/_mock/containers')).json<Array<{ Name: string }>>();
    expect(containers.some((c) => c.Name.endsWith(second ?? '-'))).toBe(false);
    expect(containers.filter((c) => c.Name === `/${registryContainer(third ?? '')}`)).toHaveLength(1);
    // The repositories live on while a replica is left.
    expect(f.mock.state.repositories.length).toBeGreaterThan(0);
    expect(f.mock.state.installed).toBe(true);
  });

  it('refuses a join while a replica is unhealthy, and joins with the replica id, node and ports given', async () => {
    const [second] = others(f.mock);
    await docker(f.mock, destroyCommand(target(f.mock, second)));
    const third = others(f.mock)[0] ?? '';
    f.mock.state.replicaHealth = { [third]: 'rethinkdb: table replicas not ready' };
    const joining = { id: 'aaaaaaaaaaaa', node: 'ucp-node-2', httpPort: 8081, httpsPort: 8444 };
    const refused = await docker(f.mock, joinCommand(target(f.mock), joining));
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/not healthy .*--unsafe-join/);
    expect(f.mock.state.replicaSettings['aaaaaaaaaaaa']).toBeUndefined();
    f.mock.state.replicaHealth = {};
    const joined = await docker(f.mock, joinCommand(target(f.mock), joining));
    expect(joined.code).toBe(0);
    expect(f.mock.state.replicaSettings['aaaaaaaaaaaa']).toEqual({
      HTTPPort: 8081,
      HTTPSPort: 8444,
      node: 'ucp-node-2',
    });
    expect((await health(f.mock))['aaaaaaaaaaaa']).toBe('OK');
    // One replica per node.
    const twice = await docker(f.mock, joinCommand(target(f.mock), { id: 'bbbbbbbbbbbb', node: 'ucp-node-2' }));
    expect(twice.stderr).toMatch(/already runs DTR replica aaaaaaaaaaaa/);
  });

  it('a half-done join leaves the replica added though the bootstrapper exits 1', async () => {
    await docker(f.mock, destroyCommand(target(f.mock, others(f.mock)[0])));
    addBootstrapperFault(f.mock.state, 'join', 'half', 1);
    const run = await docker(f.mock, joinCommand(target(f.mock), { id: 'cccccccccccc', node: 'ucp-node-2' }));
    expect(run.code).toBe(1);
    expect((await health(f.mock))['cccccccccccc']).toBe('OK');
  });

  it('answers volume inspect per node: a volume made on one node is missing on the others', async () => {
    f.mock.state.volumes['new-storage'] = { driver: 'local', options: {}, nodes: ['ucp-node-1', 'ucp-node-2'] };
    expect((await docker(f.mock, inspectVolumeOnNodeCommand('ucp-node-2', 'new-storage'))).code).toBe(0);
    const missing = await docker(f.mock, inspectVolumeOnNodeCommand('ucp-node-3', 'new-storage'));
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/No such volume: ucp-node-3\/new-storage/);
  });
});
