/**
 * A migration of an HA cluster (issue 14), in this process against a 3-replica mock DTR: the topology
 * shown before any change, an unhealthy replica stopping the run before it, the volume looked for on
 * every node, the sequence destroy each other replica / restore one / join each other with its own id,
 * node and ports, onlinegc_blobs once after the joins, a half-done join probed rather than run again,
 * and a run killed between two replica actions resumed without destroying a restored replica again.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { addBootstrapperFault } from '../../src/mock-dtr/faults.js';
import { FakeDocker } from '../helpers/fake-docker.js';
import { journalOf, migrateInProcess } from '../helpers/in-process.js';
import { migrationFixture, type MigrationFixture } from '../helpers/mock-migration.js';

let f: MigrationFixture;
afterEach(async () => {
  await f?.close();
});

const bootstrapper = (command: string): RegExp => new RegExp(`^run .* docker/dtr:\\S+ ${command}\\b`);
const confirmed = (fixture: MigrationFixture) => ({ confirmDestroy: fixture.mock.replicaId });
const tagsOf = (fixture: MigrationFixture): string[] =>
  fixture.mock.state.repositories
    .flatMap((r) => r.tags.map((t) => `${r.namespace}/${r.name}:${t.name}@${t.digest}`))
    .sort();

/** The cluster as the mock has it: replica → node and ports. */
const cluster = (fixture: MigrationFixture) => structuredClone(fixture.mock.state.replicaSettings);
const othersOf = (fixture: MigrationFixture): string[] =>
  Object.keys(fixture.mock.state.replicaSettings).filter((id) => id !== fixture.mock.replicaId);
const replicaFlag = (line: string, flag: string): string | undefined => new RegExp(`${flag} (\\S+)`).exec(line)?.[1];

describe('an HA cluster of 3 replicas', () => {
  it('is destroyed replica by replica, restored on one, joined again with each own id, node and ports, every tag kept', async () => {
    f = await migrationFixture({ replicas: 3 });
    const before = cluster(f);
    const tags = tagsOf(f);
    const docker = new FakeDocker();
    const run = await migrateInProcess(f, { yes: true, flags: confirmed(f), docker });
    expect(run.error?.message, run.error?.hint).toBeUndefined();
    // Destroy each other replica, then the restored one (with its restore), then join each other one.
    const replicaActions = docker
      .commands(/ (destroy|restore|join) /)
      .map((line) => `${/ (destroy|restore|join) /.exec(line)?.[1]} ${replicaFlag(line, '--replica-id') ?? ''}`);
    const [second, third] = othersOf(f);
    expect(replicaActions).toEqual([
      `destroy ${second}`,
      `destroy ${third}`,
      `destroy ${f.mock.replicaId}`,
      `restore ${f.mock.replicaId}`,
      `join ${second}`,
      `join ${third}`,
    ]);
    for (const line of docker.commands(bootstrapper('join'))) {
      const id = replicaFlag(line, '--replica-id') ?? '';
      expect(replicaFlag(line, '--ucp-node')).toBe(before[id]?.node);
      expect(replicaFlag(line, '--existing-replica-id')).toBe(f.mock.replicaId);
      expect(replicaFlag(line, '--replica-https-port')).toBe(String(before[id]?.HTTPSPort));
      expect(line).not.toContain('--unsafe-join');
    }
    // The same cluster again, on the new storage, with every tag.
    expect(cluster(f)).toEqual(before);
    expect(f.mock.state.storage).toEqual({ kind: 'path', path: f.target });
    expect(tagsOf(f)).toEqual(tags);
    // onlinegc_blobs once, after the last join.
    const jobPosts = f.mock.requests.filter((r) => r.method === 'POST' && r.path === '/api/v0/jobs');
    expect(jobPosts.map((r) => (r.body as { action?: string }).action)).toEqual(['onlinegc_blobs']);
    expect(run.result?.completion[0]).toMatch(/on all 3 replicas, each healthy/);
    const journal = await journalOf(f);
    expect(Object.keys(journal.steps).filter((id) => /^(destroy|join)-/.test(id))).toHaveLength(4);
  });

  it('shows the topology and names every replica and node in the plan, before anything changes', async () => {
    f = await migrationFixture({ replicas: 4 });
    const run = await migrateInProcess(f, { dryRun: true });
    expect(run.code).toBe(0);
    const start = run.io.of('run-start')[0];
    expect(start?.detected.join('\n')).toMatch(/HA cluster of 4 replicas/);
    const topology = start?.data?.['topology'] as Array<{ role: string }> | undefined;
    expect(topology?.map((r) => r.role)).toEqual(['restored', 'joined', 'joined', 'joined']);
    expect(
      run.io
        .of('notice')
        .map((n) => n.text)
        .join('\n'),
    ).toMatch(/4 replicas, an even number/);
    const plans = run.io.of('step-plan');
    for (const id of othersOf(f)) {
      const node = f.mock.state.replicaSettings[id]?.node ?? '';
      expect(plans.find((p) => p.id === `destroy-${id}`)?.title).toContain(node);
      const join = plans.find((p) => p.id === `join-${id}`)?.actions.find((a) => a.kind === 'docker');
      expect(join?.kind === 'docker' ? join.command : '').toContain(`--ucp-node ${node}`);
    }
    expect(f.mock.requests.some((r) => r.path.startsWith('/_mock/bootstrapper/'))).toBe(false);
  });

  it('stops before any change when a replica is unhealthy, naming it and the way forward', async () => {
    f = await migrationFixture({ replicas: 3 });
    const sick = othersOf(f)[1] ?? '';
    f.mock.state.replicaHealth = { [sick]: 'rethinkdb: 1 table not ready' };
    const crons = structuredClone(f.mock.state.crons);
    const docker = new FakeDocker();
    const run = await migrateInProcess(f, { yes: true, flags: confirmed(f), docker });
    expect(run.error?.code).toBe('REPLICA_UNHEALTHY');
    expect(run.code).toBe(1);
    expect(run.error?.message).toContain(`replica ${sick} on node ucp-node-3 reports "rethinkdb: 1 table not ready"`);
    expect(run.error?.hint).toMatch(/Mend it first .*docker\/dtr remove/);
    expect(docker.commands(/^run /)).toEqual([]);
    expect(f.mock.state.crons).toEqual(crons);
  });

  it('stops before the gate when --target-volume is missing on a replica node', async () => {
    f = await migrationFixture({ replicas: 3 });
    f.mock.state.volumes['dtr-new-storage'] = { driver: 'local', options: {}, nodes: ['ucp-node-1', 'ucp-node-2'] };
    const docker = new FakeDocker();
    const run = await migrateInProcess(f, {
      yes: true,
      flags: { ...confirmed(f), targetVolume: 'dtr-new-storage' },
      docker,
    });
    expect(run.error?.code).toBe('STORAGE_INVALID');
    expect(run.error?.message).toMatch(/does not exist on node ucp-node-3/);
    expect(docker.commands(/^run /)).toEqual([]);
  });

  it('looks at a join that failed half-way before running it again: listed and healthy, it is not joined twice', async () => {
    f = await migrationFixture({ replicas: 3 });
    addBootstrapperFault(f.mock.state, 'join', 'half', 1);
    const docker = new FakeDocker();
    const first = await migrateInProcess(f, { yes: true, flags: confirmed(f), docker });
    const second = othersOf(f)[0] ?? '';
    expect(first.error?.message).toMatch(/the join of replica .* failed/);
    expect(f.mock.state.replicaSettings[second]).toBeDefined();
    const again = await migrateInProcess(f, { yes: true, flags: confirmed(f), docker });
    expect(again.error?.message, again.error?.hint).toBeUndefined();
    expect(docker.commands(new RegExp(`join .*--replica-id ${second}`))).toHaveLength(1);
    const done = again.io.of('step-done').find((e) => e.id === `join-${second}`);
    expect(done?.facts[0]).toBe('found already done by an earlier run');
  });

  it('resumes after a kill between two replica actions without destroying a restored replica again', async () => {
    f = await migrationFixture({ replicas: 3 });
    const tags = tagsOf(f);
    const [, third] = othersOf(f);
    // The client dies once the join of the last replica reached the bootstrapper: it ran, nobody saw it end.
    let kills = 0;
    const docker = new FakeDocker([
      {
        when: new RegExp(`join .*--replica-id ${third}`),
        answer: () => (kills++ === 0 ? { killed: 'after' } : 'stand-in'),
      },
    ]);
    const first = await migrateInProcess(f, { yes: true, flags: confirmed(f), docker });
    expect(first.error).toBeDefined();
    const again = await migrateInProcess(f, { yes: true, flags: confirmed(f), docker });
    expect(again.error?.message, again.error?.hint).toBeUndefined();
    expect(docker.commands(new RegExp(`destroy .*--replica-id ${f.mock.replicaId}`))).toHaveLength(1);
    expect(docker.commands(bootstrapper('destroy'))).toHaveLength(3);
    expect(docker.commands(bootstrapper('restore'))).toHaveLength(1);
    expect(docker.commands(bootstrapper('join'))).toHaveLength(2);
    expect(Object.keys(f.mock.state.replicaSettings)).toHaveLength(3);
    expect(tagsOf(f)).toEqual(tags);
  });

  it('read-only procedure: read-only confirmed on every replica, one reconfigure for the whole cluster', async () => {
    f = await migrationFixture({ replicas: 3 });
    const before = cluster(f);
    const tags = tagsOf(f);
    const docker = new FakeDocker();
    const run = await migrateInProcess(f, { yes: true, flags: { ...confirmed(f), procedure: 'read-only' }, docker });
    expect(run.error?.message, run.error?.hint).toBeUndefined();
    const readOnly = run.io.of('step-done').find((e) => e.id === 'read-only');
    expect(readOnly).toBeDefined();
    const statusReads = f.mock.requests.filter((r) => r.path === '/api/v0/meta/cluster_status');
    const confirmedOnAll = statusReads.some((r) => {
      const flags = (r.answer as { replica_readonly?: Record<string, boolean> }).replica_readonly ?? {};
      return Object.keys(flags).length === 3 && Object.values(flags).every(Boolean);
    });
    expect(confirmedOnAll).toBe(true);
    const reconfigures = docker.commands(bootstrapper('reconfigure'));
    expect(reconfigures).toHaveLength(1);
    expect(reconfigures[0]).toContain('--storage-migrated');
    expect(docker.commands(bootstrapper('(destroy|join)'))).toEqual([]);
    expect(cluster(f)).toEqual(before);
    expect(tagsOf(f)).toEqual(tags);
    expect(run.result?.completion[0]).toMatch(/on all 3 replicas, each healthy/);
  });
});
