/**
 * What a registry storage never holds, and what a copy cannot vouch for: FIFOs and sockets (reported like
 * symbolic links, never opened), a tree without the registry layout (refused unless --any-tree), files
 * only the target holds (named: blob GC would delete them), and links that already dangle in the source
 * (a faithful copy of an incomplete registry, named apart from the copy's own failures).
 */
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, unlink, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createPathStorageEngine } from '../../../src/storage/index.js';
import type { StorageLocation } from '../../../src/storage/index.js';
import { blobAt, createRegistryTree, registryPrefix, type RegistryTree } from '../../helpers/registry-tree.js';

const at = (path: string): StorageLocation => ({ kind: 'path', path });
const engine = createPathStorageEngine({ ledgerDir: null });

let dir: string;
let source: string;
let target: string;
let tree: RegistryTree;
let server: Server | undefined;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'not-registry-'));
  source = join(dir, 'source');
  target = join(dir, 'target');
  tree = await createRegistryTree(source);
});
afterEach(async () => {
  await new Promise((resolve) => (server === undefined ? resolve(undefined) : server.close(resolve)));
  server = undefined;
  await rm(dir, { recursive: true, force: true });
});

const fifo = (path: string): void => {
  execFileSync('mkfifo', [path]);
};

describe('special files', () => {
  it('reports a FIFO and a socket in the source by path, copies neither, and never blocks on one', async () => {
    fifo(join(source, registryPrefix, 'a-fifo'));
    const socket = join(source, registryPrefix, 'a-socket');
    server = createServer();
    await new Promise<void>((resolve) => server?.listen(socket, resolve));
    const copy = await engine.copy({ from: at(source), to: at(target) });
    expect(copy.problems).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          kind: 'special-file',
          path: `${registryPrefix}/a-fifo`,
          detail: expect.stringContaining('a FIFO'),
        }),
        expect.objectContaining({
          kind: 'special-file',
          path: `${registryPrefix}/a-socket`,
          detail: expect.stringContaining('a socket'),
        }),
      ]),
    );
    const verify = await engine.verify({ from: at(source), to: at(target) });
    expect(verify.ok).toBe(false);
    expect(verify.problems.map((p) => p.kind)).toEqual(['special-file', 'special-file']);
  });

  it('reports a FIFO in the target where a blob should be, without opening it', async () => {
    await engine.copy({ from: at(source), to: at(target) });
    const blob = blobAt(tree, 0);
    await unlink(join(target, blob));
    fifo(join(target, blob));
    const verify = await engine.verify({ from: at(source), to: at(target) });
    expect(verify.problems).toContainEqual(
      expect.objectContaining({ kind: 'special-file', path: blob, detail: 'in the target: a FIFO' }),
    );
  });
});

describe('a tree that is not a registry', () => {
  it('is refused by copy and verify unless --any-tree, naming what is missing', async () => {
    const plain = join(dir, 'plain');
    await mkdir(plain);
    await writeFile(join(plain, 'notes.txt'), 'not a registry');
    for (const from of [plain, join(source, 'docker', 'registry')]) {
      await expect(engine.copy({ from: at(from), to: at(target) })).rejects.toMatchObject({
        code: 'STORAGE_INVALID',
        message: expect.stringContaining(`${from} holds no registry: ${registryPrefix}/repositories`),
        hint: expect.stringContaining('--any-tree'),
      });
      await expect(engine.verify({ from: at(from), to: at(source) })).rejects.toMatchObject({
        code: 'STORAGE_INVALID',
      });
    }
    const copy = await engine.copy({ from: at(plain), to: at(target), anyTree: true });
    expect(copy.filesCopied).toBe(1);
    expect((await engine.verify({ from: at(plain), to: at(target), anyTree: true })).ok).toBe(true);
  });
});

describe('what a copy cannot vouch for', () => {
  it('names the files only the target holds, without failing the verification', async () => {
    await engine.copy({ from: at(source), to: at(target) });
    const foreign = `${registryPrefix}/blobs/sha256/ab/${'ab'.repeat(32)}/data`;
    await mkdir(join(target, foreign, '..'), { recursive: true });
    await writeFile(join(target, foreign), 'from another registry');
    const verify = await engine.verify({ from: at(source), to: at(target) });
    expect(verify.extra).toEqual([{ kind: 'not-in-source', path: foreign }]);
    // Its content does not match its name either: that is a problem of the target.
    expect(verify.problems.map((p) => p.kind)).toEqual(['digest-mismatch']);
  });

  it('names links that dangle in the source as well apart from the copy’s own failures', async () => {
    const blob = blobAt(tree, 1);
    await unlink(join(source, blob));
    await engine.copy({ from: at(source), to: at(target) });
    const verify = await engine.verify({ from: at(source), to: at(target) });
    expect(verify.ok).toBe(true);
    const digest = blob.split('/')[6] ?? '';
    const inherited = tree.links.filter((link) => link.includes(digest));
    expect(inherited.length).toBeGreaterThan(0);
    expect(verify.inherited?.map((p) => p.path)).toEqual([...inherited].sort());
  });
});
