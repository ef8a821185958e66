/**
 * Per-replica NFS mount options (issue 14): from one NFS server to another, each replica of a 3-replica
 * cluster gets back the options its NFS volume had, read from its node before the switch, in the
 * read-only procedure (one reconfigure for the cluster, then one per other replica) and the best practice
 * (after the joins); a run killed right after the cluster's reconfigure resumes with the options the
 * journal kept, not the defaults the new volumes show, and the reconfigure is not run again.
 */
import { realpath } from 'node:fs/promises';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type * as Identity from '../../src/storage/identity.js';
import { FakeDocker } from '../helpers/fake-docker.js';
import { journalOf, migrateInProcess } from '../helpers/in-process.js';
import { migrationFixture, type MigrationFixture } from '../helpers/mock-migration.js';

// pullCheck none below: pulls are checked by the other suites; here the NFS options are the subject.
// This machine mounts no NFS: the source folder is taken for the old server's export, as an NFS mount
// of it would be (what the source check asks of the mount table).
const mounted: { folder?: string } = {};
vi.mock('../../src/storage/identity.js', async (importOriginal) => {
  const real = await importOriginal<typeof Identity>();
  return {
    ...real,
    nfsLocationOf: async (path: string) =>
      mounted.folder !== undefined && (await realpath(path)) === mounted.folder
        ? { host: 'old-nas', path: '/exports/dtr' }
        : real.nfsLocationOf(path),
  };
});

let f: MigrationFixture;
afterEach(async () => {
  await f?.close();
});

const newNfs = 'nfs://new-nas.example.com/exports/dtr';
const reconfigures = (docker: FakeDocker): string[] => docker.commands(/^run .* docker\/dtr:\S+ reconfigure\b/);
const flag = (line: string, name: string): string | undefined => new RegExp(`${name} (\\S+)`).exec(line)?.[1];

/** A 3-replica DTR on the old NFS server, each replica with options of its own, the new server readable. */
async function nfsCluster(): Promise<{ options: Record<string, string> }> {
  f = await migrationFixture({ replicas: 3 });
  const [first, second, third] = Object.keys(f.mock.state.replicaSettings);
  const options = {
    [first ?? '']: 'rw,nfsvers=4.1,hard,timeo=600',
    [second ?? '']: 'rw,nfsvers=4,async',
    [third ?? '']: 'rw,nfsvers=3,noatime',
  };
  f.mock.state.storage = {
    kind: 'nfs',
    url: 'nfs://old-nas/exports/dtr',
    host: 'old-nas',
    path: '/exports/dtr',
    async: false,
  };
  f.mock.state.nfsExports['old-nas:/exports/dtr'] = f.source;
  f.mock.state.nfsExports['new-nas.example.com:/exports/dtr'] = f.target;
  f.mock.state.nfsOptions = { ...options };
  mounted.folder = await realpath(f.source);
  return { options };
}

const tagCount = (fixture: MigrationFixture): number =>
  fixture.mock.state.repositories.reduce((sum, r) => sum + r.tags.length, 0);

describe('per-replica NFS options, from one NFS server to another', () => {
  it('read-only procedure: the reconfigure carries the named replica’s options, each other replica gets its own back', async () => {
    const { options } = await nfsCluster();
    const tags = tagCount(f);
    const plan = await migrateInProcess(f, {
      dryRun: true,
      flags: { procedure: 'read-only', targetNfsUrl: newNfs, pullCheck: 'none' },
    });
    expect(plan.error?.message).toBeUndefined();
    expect(plan.io.of('run-start')[0]?.detected.join('\n')).toMatch(/NFS mount options, given back to each replica/);
    expect(plan.io.of('run-start')[0]?.detected.join('\n')).toMatch(/reconfigured with the cluster, not destroyed/);

    const docker = new FakeDocker();
    const run = await migrateInProcess(f, {
      yes: true,
      flags: { confirmDestroy: f.mock.replicaId, procedure: 'read-only', targetNfsUrl: newNfs, pullCheck: 'none' },
      docker,
    });
    expect(run.error?.message, run.error?.hint).toBeUndefined();
    const lines = reconfigures(docker);
    // One for the cluster (naming the backed-up replica, with its options), one per other replica.
    expect(lines.map((l) => flag(l, '--existing-replica-id'))).toEqual(Object.keys(options));
    for (const line of lines) {
      const id = flag(line, '--existing-replica-id') ?? '';
      expect(flag(line, '--nfs-options')).toBe(options[id]);
      expect(line).toContain('--storage-migrated');
      expect(line).toContain(`--nfs-storage-url ${newNfs}`);
      expect(line).not.toContain('--async-nfs');
    }
    expect(f.mock.state.storage).toMatchObject({ kind: 'nfs', host: 'new-nas.example.com' });
    expect(f.mock.state.nfsOptions).toEqual(options);
    expect(tagCount(f)).toBe(tags);
    const journal = await journalOf(f);
    expect(Object.keys(journal.steps).filter((id) => id.startsWith('nfs-options-'))).toHaveLength(3);
  });

  it('best practice: after the joins, each replica is given its options back', async () => {
    const { options } = await nfsCluster();
    const docker = new FakeDocker();
    const run = await migrateInProcess(f, {
      yes: true,
      flags: { confirmDestroy: f.mock.replicaId, targetNfsUrl: newNfs, pullCheck: 'none' },
      docker,
    });
    expect(run.error?.message, run.error?.hint).toBeUndefined();
    const actions = docker
      .commands(/ (restore|join|reconfigure) /)
      .map((l) => / (restore|join|reconfigure) /.exec(l)?.[1]);
    expect(actions).toEqual(['restore', 'join', 'join', 'reconfigure', 'reconfigure', 'reconfigure']);
    expect(f.mock.state.nfsOptions).toEqual(options);
  });

  it('a run killed after the cluster’s reconfigure resumes with the options kept from before, not the new defaults', async () => {
    const { options } = await nfsCluster();
    const flags = { confirmDestroy: f.mock.replicaId, procedure: 'read-only', targetNfsUrl: newNfs, pullCheck: 'none' };
    const killed = new FakeDocker([
      { when: new RegExp(`reconfigure .*--existing-replica-id ${f.mock.replicaId}\\b`), answer: { killed: 'after' } },
    ]);
    const first = await migrateInProcess(f, { yes: true, flags, docker: killed });
    expect(first.error).toBeDefined();
    // The reconfigure ran: the other replicas' new volumes mount with DTR's defaults now.
    const others = Object.keys(options).filter((id) => id !== f.mock.replicaId);
    for (const id of others) expect(f.mock.state.nfsOptions?.[id]).not.toBe(options[id]);

    const docker = new FakeDocker();
    const resumed = await migrateInProcess(f, { yes: true, flags, docker });
    expect(resumed.error?.message, resumed.error?.hint).toBeUndefined();
    const lines = reconfigures(docker);
    expect(lines.map((l) => flag(l, '--existing-replica-id'))).toEqual(others);
    for (const line of lines)
      expect(flag(line, '--nfs-options')).toBe(options[flag(line, '--existing-replica-id') ?? '']);
    expect(f.mock.state.nfsOptions).toEqual(options);
  });
});
