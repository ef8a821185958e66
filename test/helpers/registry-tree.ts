/**
 * Builds a small registry storage tree (docker/distribution filesystem layout) for storage tests:
 * blobs with correct digests (one larger than the engine's 1 MiB read buffer), manifests, repositories
 * with layer/revision/tag links, an `_uploads` directory, varied modes and fixed past mtimes, all
 * deterministic. Also lists a tree as path → metadata so tests can compare two trees exactly.
 */

import { createHash } from 'node:crypto';
import { lstat, mkdir, readdir, utimes, writeFile, chmod } from 'node:fs/promises';
import { dirname, join } from 'node:path';

export const registryPrefix = 'docker/registry/v2';

export interface Blob {
  readonly digest: string;
  /** Path relative to the storage root. */
  readonly rel: string;
  readonly size: number;
}

export interface RegistryTree {
  readonly root: string;
  readonly blobs: readonly Blob[];
  /** Every link file, relative to the storage root. */
  readonly links: readonly string[];
  /** Every file under `_uploads`. */
  readonly uploads: readonly string[];
}

export function sha256(data: Buffer | string): string {
  return createHash('sha256').update(data).digest('hex');
}

/** Deterministic bytes (xorshift), so every blob differs and reruns build the same tree. */
function bytes(seed: number, size: number): Buffer {
  const out = Buffer.alloc(size);
  let x = (seed * 2654435761) >>> 0 || 1;
  for (let i = 0; i < size; i += 1) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

/** A fixed instant in the past plus `offset` seconds, with a sub-second part to test precision. */
export function pastTime(offset: number): number {
  return 1_600_000_000 + offset + 0.123456;
}

async function put(root: string, rel: string, content: Buffer | string, mode = 0o644, time = 0): Promise<void> {
  const path = join(root, rel);
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, content);
  await chmod(path, mode);
  await utimes(path, pastTime(time), pastTime(time));
}

/** The path of the tree's `index`-th blob (throws if there is none, which would be a broken fixture). */
export function blobAt(tree: RegistryTree, index: number): string {
  const blob = tree.blobs[index];
  if (!blob) throw new Error(`the fixture has no blob ${index}`);
  return blob.rel;
}

export function blobRel(digest: string): string {
  return `${registryPrefix}/blobs/sha256/${digest.slice(0, 2)}/${digest}/data`;
}

async function putBlob(root: string, content: Buffer | string, time: number): Promise<Blob> {
  const digest = sha256(content);
  const rel = blobRel(digest);
  await put(root, rel, content, 0o644, time);
  return { digest, rel, size: Buffer.byteLength(content) };
}

/** Sets every directory's times (after all files are written, which changed them). */
async function settleDirectories(root: string, rel = ''): Promise<void> {
  const entries = await readdir(join(root, rel), { withFileTypes: true });
  for (const entry of entries) {
    if (entry.isDirectory()) await settleDirectories(root, rel === '' ? entry.name : `${rel}/${entry.name}`);
  }
  await utimes(join(root, rel), pastTime(-100), pastTime(-100));
}

export async function createRegistryTree(root: string): Promise<RegistryTree> {
  const blobs: Blob[] = [];
  const links: string[] = [];
  const sizes = [0, 1, 71, 4096, 65_537, 300_000, 2_621_447];
  const layers: Blob[] = [];
  for (const [index, size] of sizes.entries()) layers.push(await putBlob(root, bytes(index + 1, size), index));
  blobs.push(...layers);

  for (const [index, name] of ['library/app', 'team/tools/cli'].entries()) {
    const mine = layers.slice(index, index + 4);
    const config = await putBlob(root, JSON.stringify({ architecture: 'amd64', repo: name }), 10 + index);
    const manifest = await putBlob(
      root,
      JSON.stringify({
        schemaVersion: 2,
        config: { digest: `sha256:${config.digest}`, size: config.size },
        layers: mine.map((layer) => ({ digest: `sha256:${layer.digest}`, size: layer.size })),
      }),
      20 + index,
    );
    blobs.push(config, manifest);
    const repo = `${registryPrefix}/repositories/${name}`;
    const link = async (rel: string, digest: string): Promise<void> => {
      await put(root, `${repo}/${rel}`, `sha256:${digest}`, 0o644, 30 + links.length);
      links.push(`${repo}/${rel}`);
    };
    for (const layer of [...mine, config]) await link(`_layers/sha256/${layer.digest}/link`, layer.digest);
    await link(`_manifests/revisions/sha256/${manifest.digest}/link`, manifest.digest);
    await link(`_manifests/tags/latest/current/link`, manifest.digest);
    await link(`_manifests/tags/latest/index/sha256/${manifest.digest}/link`, manifest.digest);
  }

  const upload = `${registryPrefix}/repositories/library/app/_uploads/0b1c2d3e-upload`;
  const uploads = [`${upload}/data`, `${upload}/startedat`, `${upload}/hashstates/sha256/0`];
  await put(root, uploads[0] as string, bytes(99, 5000), 0o600, 40);
  await put(root, uploads[1] as string, '2020-09-13T12:26:40Z', 0o600, 40);
  await put(root, uploads[2] as string, bytes(98, 120), 0o600, 40);
  // A file that is not registry data and has an unusual mode, and a directory with one.
  await put(root, 'dtr-notes/readme.txt', 'kept as is\n', 0o640, 50);
  await chmod(join(root, 'dtr-notes'), 0o750);
  await settleDirectories(root);
  return { root, blobs, links, uploads };
}

export interface Entry {
  readonly type: 'file' | 'dir' | 'symlink';
  readonly size: number;
  readonly mode: number;
  readonly mtimeMs: number;
}

/** Every entry below `root` (the root itself as ''), sorted, with what a copy must preserve. */
export async function listTree(root: string): Promise<Map<string, Entry>> {
  const result = new Map<string, Entry>();
  const visit = async (rel: string): Promise<void> => {
    const stats = await lstat(join(root, rel));
    const type = stats.isDirectory() ? 'dir' : stats.isSymbolicLink() ? 'symlink' : 'file';
    result.set(rel, {
      type,
      size: type === 'dir' ? 0 : stats.size,
      mode: stats.mode & 0o7777,
      mtimeMs: Math.floor(stats.mtimeMs),
    });
    if (type !== 'dir') return;
    for (const name of (await readdir(join(root, rel))).sort()) await visit(rel === '' ? name : `${rel}/${name}`);
  };
  await visit('');
  return result;
}
