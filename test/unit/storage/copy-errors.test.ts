import { appendFile, mkdir, mkdtemp, readdir, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createPathStorageEngine } from '../../../src/storage/index.js';
import type { StorageLocation } from '../../../src/storage/index.js';
import { createRegistryTree, listTree, sha256 } from '../../helpers/registry-tree.js';

const at = (path: string): StorageLocation => ({ kind: 'path', path });
const engine = createPathStorageEngine();

describe('storage copy refuses bad input and fails safely', () => {
  let dir: string;
  let source: string;
  let target: string;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'storage-errors-'));
    source = join(dir, 'source');
    target = join(dir, 'target');
    await createRegistryTree(source);
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('rejects a target inside the source and a source inside the target', async () => {
    await expect(engine.copy({ from: at(source), to: at(join(source, 'copy')) })).rejects.toMatchObject({
      code: 'STORAGE_INVALID',
      message: expect.stringContaining('inside the source'),
      hint: expect.stringContaining('--to'),
    });
    await expect(engine.preflight(at(join(source, 'docker')), at(source), { anyTree: true })).rejects.toMatchObject({
      code: 'STORAGE_INVALID',
      message: expect.stringContaining('inside the target'),
    });
    await expect(engine.copy({ from: at(source), to: at(source) })).rejects.toMatchObject({ code: 'STORAGE_INVALID' });
    await expect(stat(join(source, 'copy'))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('rejects a missing source', async () => {
    await expect(engine.copy({ from: at(join(dir, 'nope')), to: at(target) })).rejects.toMatchObject({
      code: 'STORAGE_INVALID',
      message: expect.stringContaining('does not exist'),
      hint: expect.stringContaining('--from'),
    });
  });

  it('rejects a target that cannot be created (its parent is a regular file), even as root', async () => {
    const file = join(dir, 'plain-file');
    await writeFile(file, 'x');
    await expect(engine.copy({ from: at(source), to: at(join(file, 'target')) })).rejects.toMatchObject({
      code: 'STORAGE_INVALID',
      message: expect.stringContaining('not a directory'),
      hint: expect.stringContaining('--to'),
    });
  });

  it('rejects a copy that does not fit, counting only what is still to copy', async () => {
    const full = createPathStorageEngine({
      statfs: async () => ({ bsize: 4096, bavail: 100, files: 1000, ffree: 1000 }),
    });
    await expect(full.copy({ from: at(source), to: at(target) })).rejects.toMatchObject({
      code: 'STORAGE_INVALID',
      message: expect.stringMatching(/Not enough free space.*still to copy/),
    });
    await expect(stat(target)).rejects.toMatchObject({ code: 'ENOENT' });

    // Once copied, a re-run needs no space at all.
    await engine.copy({ from: at(source), to: at(target) });
    const none = createPathStorageEngine({ statfs: async () => ({ bsize: 4096, bavail: 0, files: 1000, ffree: 0 }) });
    await expect(none.preflight(at(source), at(target))).resolves.toBeUndefined();
    await expect(none.copy({ from: at(source), to: at(target) })).resolves.toMatchObject({ filesCopied: 0 });
  });

  it('stops promptly on abort and leaves no partial file under a real name, nor temporary files', async () => {
    // One big blob, and the abort as soon as its temporary file shows up: in the middle of the copy.
    const big = Buffer.alloc(64 << 20, 7);
    const digest = sha256(big);
    const rel = `docker/registry/v2/blobs/sha256/${digest.slice(0, 2)}/${digest}/data`;
    await mkdir(join(source, rel, '..'), { recursive: true });
    await writeFile(join(source, rel), big);
    const controller = new AbortController();
    const copying = engine.copy({ from: at(source), to: at(target), concurrency: 2, signal: controller.signal });
    const blobDir = join(target, rel, '..');
    for (;;) {
      const names = await readdir(blobDir).catch(() => []);
      if (names.some((name) => name.includes('.dtr-migrate-tmp-'))) break;
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
    controller.abort();
    await expect(copying).rejects.toMatchObject({ code: 'INTERRUPTED', hint: expect.stringContaining('again') });
    const left = await readdir(target, { recursive: true });
    expect(left.filter((name) => name.includes('.dtr-migrate-tmp-'))).toEqual([]);
    const placed = await stat(join(target, rel)).catch(() => undefined);
    if (placed) expect(placed.size).toBe(big.length);

    const resumed = await engine.copy({ from: at(source), to: at(target) });
    expect(resumed.problems).toEqual([]);
    expect((await stat(join(target, rel))).size).toBe(big.length);
  });

  it('reports a file that changes while it is copied, and does not place it', async () => {
    const rel = 'dtr-notes/growing.log';
    const path = join(source, rel);
    await writeFile(path, Buffer.alloc(48 << 20, 1));
    const copying = engine.copy({ from: at(source), to: at(target) });
    // Append as soon as its temporary file shows up, that is while it is being copied.
    for (;;) {
      const names = await readdir(join(target, 'dtr-notes')).catch(() => []);
      if (names.some((name) => name.includes('.dtr-migrate-tmp-'))) break;
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
    await appendFile(path, 'more');
    const summary = await copying;
    expect(summary.problems).toEqual([
      { kind: 'changed-during-copy', path: rel, detail: expect.stringContaining('not placed') },
    ]);
    await expect(stat(join(target, rel))).rejects.toMatchObject({ code: 'ENOENT' });
    expect([...(await listTree(target)).keys()].filter((name) => name.includes('.dtr-migrate-tmp-'))).toEqual([]);
  });

  it('counts every directory a copy into an existing, empty target must create, for the space check', async () => {
    await mkdir(target);
    // Incomplete uploads are not copied; the root exists already.
    const copied = [...(await listTree(source))].filter(([rel]) => rel !== '' && !rel.split('/').includes('_uploads'));
    const directories = copied.filter(([, entry]) => entry.type === 'dir').length;
    const files = copied.filter(([, entry]) => entry.type === 'file').length;
    // Exactly as many free inodes as files and directories: enough, and one less is not.
    let free = files + directories;
    const exact = createPathStorageEngine({
      statfs: async () => ({ bsize: 4096, bavail: 1e9, files: 1e9, ffree: free }),
    });
    await expect(exact.preflight(at(source), at(target))).resolves.toBeUndefined();
    free -= 1;
    await expect(exact.preflight(at(source), at(target))).rejects.toMatchObject({
      code: 'STORAGE_INVALID',
      message: expect.stringMatching(/inode/),
    });
  });

  it('reports a symbolic link in the source, copies no link, and says what it points to', async () => {
    const outside = join(dir, 'elsewhere');
    await mkdir(outside);
    await writeFile(join(outside, 'data'), 'x');
    await symlink(outside, join(source, 'docker/registry/v2/blobs/sha256/linked'));
    const summary = await engine.copy({ from: at(source), to: at(target) });
    expect(summary.problems).toEqual([
      {
        kind: 'symlink',
        path: 'docker/registry/v2/blobs/sha256/linked',
        detail: expect.stringContaining(`points to ${outside}`),
      },
    ]);
    expect([...(await listTree(target)).values()].filter((entry) => entry.type === 'symlink')).toEqual([]);
    const verified = await engine.verify({ from: at(source), to: at(target) });
    expect(verified.problems.map((p) => p.kind)).toContain('symlink');
  });

  it('refuses to start while another copy writes to the same target, and resumes one that was killed', async () => {
    await engine.copy({ from: at(source), to: at(target) });
    const marker = join(target, '.dtr-migrate-copy-incomplete');
    // A live process of this machine (the test runner's parent) stands for the other copy.
    await writeFile(marker, JSON.stringify({ pid: process.ppid, host: hostname() }));
    await expect(engine.copy({ from: at(source), to: at(target) })).rejects.toMatchObject({
      code: 'STORAGE_INVALID',
      message: expect.stringContaining(`Another copy (pid ${process.ppid} on this machine) is writing to`),
    });
    await expect(stat(marker)).resolves.toBeDefined();
    // A pid that no longer runs: the copy was killed, and this one sweeps up after it.
    await writeFile(marker, JSON.stringify({ pid: 2 ** 22 + 1, host: hostname() }));
    await expect(engine.copy({ from: at(source), to: at(target) })).resolves.toMatchObject({ problems: [] });
    await expect(stat(marker)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('rejects a bad concurrency', async () => {
    await expect(engine.copy({ from: at(source), to: at(target), concurrency: 0 })).rejects.toMatchObject({
      code: 'STORAGE_INVALID',
      hint: expect.stringContaining('--concurrency'),
    });
  });
});
