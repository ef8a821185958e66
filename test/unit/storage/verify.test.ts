import { mkdir, mkdtemp, readFile, rm, symlink, truncate, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPathStorageEngine } from '../../../src/storage/index.js';
import type { StorageLocation, StorageProgress } from '../../../src/storage/index.js';
import { blobAt, blobRel, createRegistryTree, registryPrefix } from '../../helpers/registry-tree.js';
import type { RegistryTree } from '../../helpers/registry-tree.js';

const at = (path: string): StorageLocation => ({ kind: 'path', path });
const engine = createPathStorageEngine();

describe('storage verify', () => {
  let dir: string;
  let tree: RegistryTree;
  let source: string;
  let target: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'storage-verify-'));
    source = join(dir, 'source');
    target = join(dir, 'target');
    tree = await createRegistryTree(source);
    await engine.copy({ from: at(source), to: at(target) });
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('passes a complete copy, hashing every blob and checking every link', async () => {
    const progress: StorageProgress[] = [];
    const summary = await engine.verify({ from: at(source), to: at(target), onProgress: (p) => progress.push(p) });
    expect(summary.problems).toEqual([]);
    expect(summary).toMatchObject({ ok: true, blobsHashed: tree.blobs.length, linksChecked: tree.links.length });
    expect(summary.bytesChecked).toBe(tree.blobs.reduce((sum, blob) => sum + blob.size, 0));
    expect(progress.at(-1)).toMatchObject({ phase: 'verify', files: tree.blobs.length, totalFiles: tree.blobs.length });
  });

  it('says the size of what it verified, when it walked the source itself', async () => {
    const copied = await engine.copy({ from: at(source), to: at(target), dryRun: true });
    const alone = await engine.verify({ from: at(source), to: at(target) });
    expect(alone).toMatchObject({ ok: true, filesChecked: copied.files, sourceBytes: copied.bytes });
    // After a copy, which walked the source, the verify checks the target only and has no source total.
    const afterCopy = await engine.verify({ from: at(source), to: at(target), sourceChecked: true });
    expect(afterCopy.sourceBytes).toBeUndefined();
  });

  it('reports every kind of problem at once, each with its path', async () => {
    const [missing, corrupt, shortened] = [blobAt(tree, 1), blobAt(tree, 5), blobAt(tree, 6)];
    const notes = 'dtr-notes/readme.txt';
    await unlink(join(target, missing));
    const content = await readFile(join(target, corrupt));
    content[7] = (content[7] ?? 0) ^ 0x10;
    await writeFile(join(target, corrupt), content);
    await truncate(join(target, shortened), 10);
    await truncate(join(target, notes), 1);
    // A link to a blob the target lacks, a link with garbage in it, and a blob no one can read.
    const ghost = 'f'.repeat(64);
    const dangling = `${registryPrefix}/repositories/library/app/_layers/sha256/${ghost}/link`;
    const garbled = `${registryPrefix}/repositories/library/app/_manifests/tags/broken/current/link`;
    await mkdir(join(target, dangling, '..'), { recursive: true });
    await writeFile(join(target, dangling), `sha256:${ghost}`);
    await mkdir(join(target, garbled, '..'), { recursive: true });
    await writeFile(join(target, garbled), 'not a digest');
    const loop = blobRel('e'.repeat(64));
    await mkdir(join(target, loop, '..'), { recursive: true });
    await symlink('data', join(target, loop));

    const summary = await engine.verify({ from: at(source), to: at(target), concurrency: 2 });
    expect(summary.ok).toBe(false);
    const found = summary.problems.map(({ kind, path }) => ({ kind, path }));
    expect(found).toEqual(
      expect.arrayContaining([
        { kind: 'missing', path: missing },
        { kind: 'digest-mismatch', path: corrupt },
        { kind: 'size-differs', path: shortened },
        { kind: 'digest-mismatch', path: shortened },
        { kind: 'size-differs', path: notes },
        { kind: 'dangling-link', path: dangling },
        { kind: 'dangling-link', path: garbled },
        { kind: 'symlink', path: loop },
      ]),
    );
    // The links that point at the deleted blob are dangling too: two layer links share it.
    const missingDigest = missing.split('/')[6] ?? 'none';
    const danglingToMissing = tree.links.filter((link) => link.includes(missingDigest));
    for (const link of danglingToMissing) expect(found).toContainEqual({ kind: 'dangling-link', path: link });
    expect(found).toHaveLength(8 + danglingToMissing.length);
  });

  it('rejects a target that does not exist', async () => {
    await expect(engine.verify({ from: at(source), to: at(join(dir, 'nope')) })).rejects.toMatchObject({
      code: 'STORAGE_INVALID',
      hint: expect.stringContaining('--to'),
    });
  });
});
