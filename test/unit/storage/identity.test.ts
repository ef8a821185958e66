import { mkdir, mkdtemp, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { mountOf, nfsLocationIn, parseMountInfo, storageOverlap } from '../../../src/storage/identity.js';
import { bindMount, canMount } from '../../helpers/mounts.js';

let root: string;
let cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
  cleanups = [];
  await rm(root, { recursive: true, force: true });
});

async function tree(): Promise<{ source: string; target: string }> {
  root = await mkdtemp(join(tmpdir(), 'identity-'));
  const source = join(root, 'source');
  const target = join(root, 'target');
  await mkdir(join(source, 'docker'), { recursive: true });
  await mkdir(target);
  return { source, target };
}

describe('storageOverlap', () => {
  it('sees two different directories apart, and a directory as itself through a symbolic link', async () => {
    const { source, target } = await tree();
    expect(await storageOverlap(source, target, true)).toBeUndefined();
    const link = join(root, 'link');
    await symlink(source, link);
    expect(await storageOverlap(source, link, true)).toBe('same');
    expect(await storageOverlap(source, join(link, 'docker'), true)).toBe('target-inside');
    expect(await storageOverlap(join(source, 'docker'), source, true)).toBe('source-inside');
  });

  it('counts a target not yet created as inside the source when its nearest existing parent is', async () => {
    const { source } = await tree();
    expect(await storageOverlap(source, join(source, 'docker'), false)).toBe('target-inside');
    expect(await storageOverlap(source, source, false)).toBe('target-inside');
  });

  it.runIf(canMount())('sees through bind mounts: the same directory, one inside the other (needs root)', async () => {
    const { source, target } = await tree();
    const bound = join(root, 'bound');
    cleanups.push(await bindMount(source, bound));
    expect(await storageOverlap(source, bound, true)).toBe('same');
    expect(await storageOverlap(source, join(bound, 'docker'), true)).toBe('target-inside');
    const parent = join(root, 'parent');
    cleanups.push(await bindMount(root, parent));
    expect(await storageOverlap(source, join(parent, 'source'), true)).toBe('same');
    expect(await storageOverlap(join(parent, 'source', 'docker'), source, true)).toBe('source-inside');
    expect(await storageOverlap(source, join(parent, 'target'), true)).toBeUndefined();
    expect(await storageOverlap(source, target, true)).toBeUndefined();
  });
});

describe('mount table', () => {
  it('reads mountinfo lines, escapes included, and finds the NFS export a path lives in', () => {
    const table = parseMountInfo(
      [
        '22 27 0:21 / /proc rw,relatime - proc proc rw',
        '27 1 8:1 / / rw,relatime - ext4 /dev/sda1 rw',
        '90 27 0:52 /dtr /mnt/old\\040nfs rw,relatime - nfs4 filer.example.com:/exports rw,addr=10.0.0.5',
      ].join('\n'),
    );
    expect(mountOf(table, '/mnt/old nfs/docker/registry')).toEqual({
      mountPoint: '/mnt/old nfs',
      root: '/dtr',
      fsType: 'nfs4',
      source: 'filer.example.com:/exports',
    });
    expect(nfsLocationIn(table, '/mnt/old nfs/docker/registry')).toEqual({
      host: 'filer.example.com',
      path: '/exports/dtr/docker/registry',
    });
    expect(nfsLocationIn(table, '/var/lib')).toBeUndefined();
    expect(mountOf(table, '/var/lib')?.mountPoint).toBe('/');
  });
});
