/**
 * The verified-blob ledger: a second verify reads no blob that is unchanged since the first found it
 * intact, yet any change to a blob's file (even one that keeps its size and mtime) makes it hashed again.
 */
import {
  appendFile,
  lstat,
  mkdtemp,
  readFile,
  readdir,
  realpath,
  rename,
  rm,
  utimes,
  writeFile,
} from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPathStorageEngine } from '../../../src/storage/index.js';
import type { StorageLocation } from '../../../src/storage/index.js';
import { ledgerFileFor } from '../../../src/storage/ledger.js';
import { blobAt, createRegistryTree, listTree } from '../../helpers/registry-tree.js';
import type { RegistryTree } from '../../helpers/registry-tree.js';

const at = (path: string): StorageLocation => ({ kind: 'path', path });
/** Longer than the coarsest ctime tick the ledger allows for: files changed before it can be recorded. */
const outlastTick = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 2_100));
const engine = createPathStorageEngine();

describe('storage verify with the verified-blob ledger', () => {
  let dir: string;
  let tree: RegistryTree;
  let source: string;
  let target: string;
  let ledgers: string;
  let ledger: string;
  const verify = (rehash = false) =>
    engine.verify({ from: at(source), to: at(target), concurrency: 2, rehash, ledgerDir: ledgers });
  const ledgerFiles = async (): Promise<string[]> => readdir(ledgers);

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'storage-ledger-'));
    source = join(dir, 'source');
    target = join(dir, 'target');
    tree = await createRegistryTree(source);
    // A blob from before 1970: Node gives its mtime as a negative number, which the ledger must keep.
    await utimes(join(source, blobAt(tree, 0)), -86_400, -86_400);
    ledgers = join(dir, 'cache', 'verified');
    await engine.copy({ from: at(source), to: at(target) });
    ledger = ledgerFileFor(await realpath(target), ledgers);
    await outlastTick();
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('hashes every blob once, then vouches for the unchanged ones, and leaves the target as the copy made it', async () => {
    const copied = await listTree(target);
    const first = await verify();
    expect(first).toMatchObject({ ok: true, blobsHashed: tree.blobs.length, blobsTrusted: 0 });
    expect((await lstat(ledger)).size).toBe(tree.blobs.length * 48);
    expect(await listTree(target)).toEqual(copied);

    const second = await verify();
    expect(second).toMatchObject({ ok: true, blobsHashed: 0, blobsTrusted: tree.blobs.length, bytesChecked: 0 });
    expect(second.linksChecked).toBe(tree.links.length);
    expect(await ledgerFiles()).toEqual([ledger.split('/').at(-1)]);
  });

  it('hashes a blob again after any change to its file, even with its size and mtime put back', async () => {
    const corrupt = blobAt(tree, 3);
    const file = join(target, corrupt);
    const before = await lstat(file);
    const content = await readFile(file);
    content[0] = (content[0] ?? 0) ^ 0x01;
    await writeFile(file, content);
    await utimes(file, before.atime, before.mtime);

    const summary = await verify();
    expect(summary.ok).toBe(false);
    expect(summary.problems).toEqual([expect.objectContaining({ kind: 'digest-mismatch', path: corrupt })]);
    expect(summary).toMatchObject({ blobsHashed: 1, blobsTrusted: tree.blobs.length - 1 });

    content[0] = (content[0] ?? 0) ^ 0x01;
    await writeFile(file, content);
    expect(await verify()).toMatchObject({ ok: true, blobsHashed: 1, blobsTrusted: tree.blobs.length - 1 });
    // Recorded once its ctime is older than a clock tick (when exactly is tooRecent's, tested on its own):
    // a verify after that vouches for every blob again.
    await outlastTick();
    await verify();
    expect(await verify()).toMatchObject({ ok: true, blobsHashed: 0, blobsTrusted: tree.blobs.length });
  });

  it('reads every blob again with rehash', async () => {
    expect(await verify(true)).toMatchObject({ ok: true, blobsHashed: tree.blobs.length, blobsTrusted: 0 });
  });

  it('keeps what a killed verify proved: its part files count, and are folded into the ledger', async () => {
    await rename(ledger, `${ledger}.part-dead01-7`);
    // A crash may cut the last record short: the whole records before it still count.
    await appendFile(`${ledger}.part-dead01-7`, Buffer.alloc(5));
    expect(await verify()).toMatchObject({ ok: true, blobsHashed: 0, blobsTrusted: tree.blobs.length });
    expect(await ledgerFiles()).toEqual([ledger.split('/').at(-1)]);
  });

  it('finds nothing to vouch for in a target copied again under the same path', async () => {
    await rm(target, { recursive: true });
    await engine.copy({ from: at(source), to: at(target) });
    expect(await verify()).toMatchObject({ ok: true, blobsHashed: tree.blobs.length, blobsTrusted: 0 });
  });

  it('keeps no ledger when told not to, or when its directory cannot be written', async () => {
    const none = await engine.verify({ from: at(source), to: at(target), ledgerDir: null });
    expect(none).toMatchObject({ ok: true, blobsHashed: tree.blobs.length, blobsTrusted: 0 });
    const blocked = join(dir, 'not-a-directory');
    await writeFile(blocked, '');
    const unwritable = await engine.verify({ from: at(source), to: at(target), ledgerDir: join(blocked, 'verified') });
    expect(unwritable).toMatchObject({ ok: true, blobsHashed: tree.blobs.length });
  });
});
