import { chmod, mkdtemp, readFile, readdir, rm, stat, truncate, unlink, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createPathStorageEngine } from '../../../src/storage/index.js';
import type { StorageLocation, StorageProgress } from '../../../src/storage/index.js';
import { blobAt, createRegistryTree, listTree, pastTime, registryPrefix, sha256 } from '../../helpers/registry-tree.js';
import type { RegistryTree } from '../../helpers/registry-tree.js';

const at = (path: string): StorageLocation => ({ kind: 'path', path });
const engine = createPathStorageEngine();

/** The listing of a tree without `_uploads`, as a copy without `includeUploads` must produce. */
function withoutUploads(entries: Map<string, unknown>): string[] {
  return [...entries.keys()].filter((rel) => !rel.includes('/_uploads'));
}

async function tempNames(root: string): Promise<string[]> {
  const all = await readdir(root, { recursive: true });
  return all.filter((rel) => rel.includes('.dtr-migrate-tmp-'));
}

describe('storage copy', () => {
  let dir: string;
  let tree: RegistryTree;
  let source: string;
  let target: string;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'storage-copy-'));
    source = join(dir, 'source');
    target = join(dir, 'target');
    tree = await createRegistryTree(source);
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('copies everything but _uploads with paths, sizes, modes and mtimes, then nothing on a second run', async () => {
    // The root's own mode too (the target root is created before the walk, with the default mode).
    await chmod(source, 0o750);
    const progress: StorageProgress[] = [];
    const first = await engine.copy({ from: at(source), to: at(target), onProgress: (p) => progress.push(p) });
    expect(first.problems).toEqual([]);
    const expected = await listTree(source);
    const actual = await listTree(target);
    expect([...actual.keys()]).toEqual(withoutUploads(expected));
    for (const [rel, entry] of actual) expect(entry, rel).toEqual(expected.get(rel));
    for (const blob of tree.blobs) {
      expect(sha256(await readFile(join(target, blob.rel))), blob.rel).toBe(blob.digest);
    }
    const files = [...actual.values()].filter((entry) => entry.type === 'file');
    expect(first.filesCopied).toBe(files.length);
    expect(first.files).toBe(files.length);
    expect(first.bytesCopied).toBe(files.reduce((sum, entry) => sum + entry.size, 0));
    expect(progress.at(-1)).toMatchObject({ phase: 'copy', files: files.length, totalFiles: files.length });

    const second = await engine.copy({ from: at(source), to: at(target) });
    expect(second).toMatchObject({ filesCopied: 0, bytesCopied: 0, filesSkipped: files.length, problems: [] });
    expect(await listTree(target)).toEqual(actual);
  });

  it('copies _uploads when asked', async () => {
    const summary = await engine.copy({ from: at(source), to: at(target), includeUploads: true });
    expect(summary.problems).toEqual([]);
    expect(await listTree(target)).toEqual(await listTree(source));
  });

  it('resumes after a crash: removes stale temporary files and copies only what is missing or partial', async () => {
    await engine.copy({ from: at(source), to: at(target) });
    const [big, small, gone] = [blobAt(tree, 6), blobAt(tree, 3), blobAt(tree, 5)];
    // What a killed run leaves: its marker and a truncated temp file; plus a blob cut short under its real
    // name by another tool, missing files and a missing directory.
    const stale = join(target, `${big}`.replace(/data$/, '.data.dtr-migrate-tmp-dead01'));
    await writeFile(stale, 'partial');
    await writeFile(join(target, '.dtr-migrate-copy-incomplete'), '');
    await truncate(join(target, big), 1000);
    await unlink(join(target, small));
    await rm(join(target, gone, '..'), { recursive: true });
    await rm(join(target, registryPrefix, 'repositories/team'), { recursive: true });

    const resumed = await engine.copy({ from: at(source), to: at(target) });
    expect(resumed.problems).toEqual([]);
    expect(resumed.staleTempFilesRemoved).toBe(1);
    expect(resumed.filesCopied).toBe(3 + 8);
    expect(await tempNames(target)).toEqual([]);
    await expect(stat(join(target, '.dtr-migrate-copy-incomplete'))).rejects.toMatchObject({ code: 'ENOENT' });
    const expected = await listTree(source);
    expect([...(await listTree(target)).entries()]).toEqual(
      [...expected.entries()].filter(([rel]) => !rel.includes('/_uploads')),
    );
  });

  it('never takes temporary files for data, in the source or the target', async () => {
    await writeFile(join(source, registryPrefix, '.data.dtr-migrate-tmp-other1'), 'half a blob');
    const first = await engine.copy({ from: at(source), to: at(target) });
    await expect(stat(join(target, registryPrefix, '.data.dtr-migrate-tmp-other1'))).rejects.toMatchObject({
      code: 'ENOENT',
    });
    // A stray one in the target without the marker of an interrupted run: left alone, and not counted.
    await writeFile(join(target, registryPrefix, '.data.dtr-migrate-tmp-other2'), 'stray');
    const second = await engine.copy({ from: at(source), to: at(target) });
    expect(second).toMatchObject({ files: first.files, filesCopied: 0, staleTempFilesRemoved: 0 });
    const verified = await engine.verify({ from: at(source), to: at(target) });
    expect(verified).toMatchObject({ ok: true, filesChecked: first.files });
  });

  it('reports a corrupt source blob and does not place it', async () => {
    const blob = tree.blobs[4];
    if (!blob) throw new Error('fixture');
    const path = join(source, blob.rel);
    const content = await readFile(path);
    content[100] = (content[100] ?? 0) ^ 0xff;
    await writeFile(path, content);
    const summary = await engine.copy({ from: at(source), to: at(target) });
    expect(summary.problems).toEqual([
      { kind: 'digest-mismatch', path: blob.rel, detail: expect.stringContaining('not placed') },
    ]);
    await expect(stat(join(target, blob.rel))).rejects.toMatchObject({ code: 'ENOENT' });
    expect(await tempNames(target)).toEqual([]);
    expect(summary.filesCopied).toBe(summary.files - 1);
  });

  it('finds same-size, same-mtime content changes only in checksum mode', async () => {
    await engine.copy({ from: at(source), to: at(target) });
    const blob = blobAt(tree, 5);
    const link = tree.links[0] as string;
    for (const rel of [blob, link]) {
      const content = await readFile(join(target, rel));
      content[content.length - 1] = (content[content.length - 1] ?? 0) ^ 0x01;
      await writeFile(join(target, rel), content);
      const { atime, mtime } = await stat(join(source, rel));
      await utimes(join(target, rel), atime, mtime);
    }
    const plain = await engine.copy({ from: at(source), to: at(target) });
    expect(plain.filesCopied).toBe(0);
    const checked = await engine.copy({ from: at(source), to: at(target), checksum: true });
    expect(checked.filesCopied).toBe(2);
    expect(checked.problems).toEqual([]);
    for (const rel of [blob, link]) {
      expect(sha256(await readFile(join(target, rel))), rel).toBe(sha256(await readFile(join(source, rel))));
    }
  });

  it('dry run counts what would be copied and writes nothing', async () => {
    const dry = await engine.copy({ from: at(source), to: at(target), dryRun: true });
    await expect(stat(target)).rejects.toMatchObject({ code: 'ENOENT' });
    const real = await engine.copy({ from: at(source), to: at(target) });
    expect(dry).toMatchObject({
      files: real.files,
      bytes: real.bytes,
      filesCopied: real.filesCopied,
      bytesCopied: real.bytesCopied,
    });

    await unlink(join(target, tree.links[1] as string));
    await writeFile(join(target, registryPrefix, '.x.dtr-migrate-tmp-abc'), 'stale');
    const before = await listTree(target);
    const again = await engine.copy({ from: at(source), to: at(target), dryRun: true });
    expect(again).toMatchObject({ filesCopied: 1, filesSkipped: real.files - 1 });
    expect(await listTree(target)).toEqual(before);
  });

  it('keeps mtime precision to the microsecond', async () => {
    await engine.copy({ from: at(source), to: at(target) });
    const rel = tree.links[2] as string;
    const [a, b] = await Promise.all([stat(join(source, rel)), stat(join(target, rel))]);
    expect(Math.abs(a.mtimeMs - b.mtimeMs)).toBeLessThan(0.001);
    expect(a.mtimeMs).toBeCloseTo(pastTime(30 + 2) * 1000, 1);
  });
});
