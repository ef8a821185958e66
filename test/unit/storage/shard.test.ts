import { describe, expect, it } from 'vitest';
import { driverRoot, inlineBackend } from '../../../src/storage/driver-layout.js';
import { inShard, parseShard, shardOf } from '../../../src/storage/shard.js';
import { kubernetesJob, swarmJob } from '../../../src/storage/shard-job.js';

const digest = (n: number): string => n.toString(16).padStart(8, '0').repeat(8);
const prefix = 'docker/registry/v2';

describe('shards', () => {
  it('puts every blob and repository file in exactly one shard, and walks shared directories in all', () => {
    const files = [
      ...Array.from({ length: 200 }, (_, n) => `${prefix}/blobs/sha256/${digest(n).slice(0, 2)}/${digest(n)}/data`),
      ...Array.from({ length: 50 }, (_, n) => `${prefix}/repositories/team/app-${n}/_layers/sha256/${digest(n)}/link`),
      ...Array.from({ length: 50 }, (_, n) => `${prefix}/repositories/app-${n}/_manifests/tags/latest/current/link`),
      'dtr-notes/readme.txt',
    ];
    const count = 4;
    const owners = files.map((rel) => [1, 2, 3, 4].filter((index) => inShard(rel, { index, count }, true)));
    for (const [at, found] of owners.entries()) expect(found, files[at]).toHaveLength(1);
    const sizes = [1, 2, 3, 4].map((index) => owners.filter((found) => found[0] === index).length);
    for (const size of sizes) expect(size).toBeGreaterThan(files.length / count / 2);
    // A repository's files all go together, with the repository's own directories.
    expect(shardOf(`${prefix}/repositories/team/app-1/_layers`, count)).toBe(
      shardOf(`${prefix}/repositories/team/app-1/_manifests/tags/x/current/link`, count, true),
    );
    for (const shared of [prefix, `${prefix}/blobs/sha256/ab`, `${prefix}/repositories/team`]) {
      expect(shardOf(shared, count)).toBeUndefined();
    }
    expect(parseShard('2/4')).toEqual({ index: 2, count: 4 });
    for (const bad of ['0/4', '5/4', '1', 'a/b']) expect(() => parseShard(bad)).toThrow(/K\/N/);
  });

  it('prints a Swarm replicated job and a Kubernetes Indexed Job that give each task its shard', () => {
    const job = {
      shards: 4,
      from: { kind: 'path', path: '/mnt/old nfs' } as const,
      to: { kind: 'rclone', remote: 's3:bucket/registry' } as const,
      image: 'dtr-migrate:1',
      copyArgs: ['--to-driver', 's3'],
    };
    const swarm = swarmJob(job);
    expect(swarm).toContain('--mode replicated-job --replicas 4');
    expect(swarm).toContain("--env 'DTR_MIGRATE_SHARD={{.Task.Slot}}/4'");
    expect(swarm).toContain("--mount 'type=bind,src=/mnt/old nfs,dst=/mnt/old nfs,readonly'");
    expect(swarm).toContain("dtr-migrate:1 storage copy --from '/mnt/old nfs' --to s3:bucket/registry --to-driver s3");
    const kubernetes = kubernetesJob(job);
    expect(kubernetes).toContain('completionMode: Indexed');
    expect(kubernetes).toContain('--shard \\"$((JOB_COMPLETION_INDEX + 1))/4\\"');
    expect(kubernetes).toContain('mountPath: "/root/.config/rclone"');
  });
});

describe('layout per storage driver', () => {
  it('puts the tree where each driver reads it', () => {
    expect(driverRoot('s3:bucket/root', 's3')).toBe('s3:bucket/root');
    expect(driverRoot('swift:container/prefix/', 'swift')).toBe('swift:container/prefix/files');
    expect(driverRoot('swift:container', 'swift')).toBe('swift:container/files');
    expect(driverRoot(':azureblob,endpoint="http://h:1/a":dtr', 'azure')).toBe(
      ':azureblob,endpoint="http://h:1/a":dtr',
    );
    expect(() => driverRoot('azure:container/sub', 'azure')).toThrow(/root of its container/);
    expect(inlineBackend(':azureblob,use_emulator=true:dtr')).toBe('azureblob');
    expect(inlineBackend('s3:bucket')).toBeUndefined();
  });
});
