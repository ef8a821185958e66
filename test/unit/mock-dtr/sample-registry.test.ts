import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative, sep } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tagPageSchema } from '../../../src/api/schemas.js';
import {
  createSampleRegistry,
  mediaTypes,
  readRegistryRepositories,
  startMockDtr,
  type SampleRegistry,
} from '../../../src/mock-dtr/index.js';
import { call, closeAgent } from './http.js';

async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries.filter((e) => e.isFile()).map((e) => relative(dir, join(e.parentPath, e.name)).split(sep).join('/'));
}

const v2 = 'docker/registry/v2';
const blobPath = (digest: string): string => {
  const hex = digest.replace(/^sha256:/, '');
  return `${v2}/blobs/sha256/${hex.slice(0, 2)}/${hex}/data`;
};

let root: string;
let sample: SampleRegistry;
let files: string[];
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'sample-registry-'));
  sample = await createSampleRegistry(root);
  files = await listFiles(root);
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('createSampleRegistry', () => {
  it('is small by default and reports what it wrote', () => {
    expect(files).toHaveLength(sample.files);
    expect(sample.files).toBeGreaterThan(20);
    expect(sample.files).toBeLessThan(80);
    expect(sample.bytes).toBeLessThan(2 * 1024 * 1024);
    expect(sample.repositories.length).toBeGreaterThanOrEqual(2);
  });

  it('stores every blob under the sha256 of its content', async () => {
    const blobs = files.filter((f) => f.startsWith(`${v2}/blobs/`));
    expect(blobs.length).toBeGreaterThan(5);
    for (const blob of blobs) {
      const hex = /\/sha256\/([0-9a-f]{2})\/([0-9a-f]{64})\/data$/.exec(blob);
      expect(hex?.[2]?.startsWith(hex[1] ?? 'x'), blob).toBe(true);
      const actual = createHash('sha256')
        .update(await readFile(join(root, blob)))
        .digest('hex');
      expect(actual, blob).toBe(hex?.[2]);
    }
  });

  it('has every link point to an existing blob', async () => {
    const links = files.filter((f) => f.endsWith('/link'));
    expect(links.some((l) => l.includes('/_layers/'))).toBe(true);
    expect(links.some((l) => l.includes('/_manifests/revisions/'))).toBe(true);
    expect(links.some((l) => l.includes('/current/link'))).toBe(true);
    expect(links.some((l) => l.includes('/index/sha256/'))).toBe(true);
    for (const link of links) {
      const digest = await readFile(join(root, link), 'utf8');
      expect(digest, link).toMatch(/^sha256:[0-9a-f]{64}$/);
      expect(files, link).toContain(blobPath(digest));
    }
  });

  it('has manifests that reference existing blobs, and one manifest list over two manifests', async () => {
    let lists = 0;
    for (const repo of sample.repositories) {
      for (const tag of repo.tags) {
        const manifest = JSON.parse(await readFile(join(root, blobPath(tag.digest)), 'utf8')) as {
          mediaType: string;
          config?: { digest: string };
          layers?: Array<{ digest: string }>;
          manifests?: Array<{ digest: string; mediaType: string }>;
        };
        expect(manifest.mediaType).toBe(tag.mediaType);
        const referenced =
          manifest.mediaType === mediaTypes.manifestList
            ? (manifest.manifests ?? []).map((m) => m.digest)
            : [manifest.config?.digest ?? '', ...(manifest.layers ?? []).map((l) => l.digest)];
        if (manifest.mediaType === mediaTypes.manifestList) {
          lists += 1;
          expect(referenced).toHaveLength(2);
          for (const child of referenced) {
            const childManifest = JSON.parse(await readFile(join(root, blobPath(child)), 'utf8')) as {
              mediaType: string;
            };
            expect(childManifest.mediaType).toBe(mediaTypes.manifest);
          }
        }
        for (const digest of referenced)
          expect(files, `${repo.name}:${tag.name} -> ${digest}`).toContain(blobPath(digest));
      }
    }
    expect(lists).toBe(1);
  });

  it('holds one partial upload, and is deterministic from the seed', async () => {
    expect(files.filter((f) => /\/_uploads\/[0-9a-f-]{36}\/data$/.test(f))).toHaveLength(1);
    const again = await mkdtemp(join(tmpdir(), 'sample-registry-'));
    const other = await mkdtemp(join(tmpdir(), 'sample-registry-'));
    try {
      expect((await createSampleRegistry(again)).repositories).toEqual(sample.repositories);
      const seeded = await createSampleRegistry(other, {
        seed: 2,
        repositories: 3,
        tagsPerRepository: 3,
        layersPerImage: 3,
        layerBytes: 1000,
      });
      expect(seeded.repositories).toHaveLength(3);
      expect(seeded.repositories[1]?.tags).toHaveLength(3);
      expect(seeded.repositories[0]?.tags[0]?.digest).not.toBe(sample.repositories[0]?.tags[0]?.digest);
    } finally {
      await rm(again, { recursive: true, force: true });
      await rm(other, { recursive: true, force: true });
    }
  });

  it('reads back as the same repositories and tags, which the mock DTR then serves', async () => {
    expect(await readRegistryRepositories(root)).toEqual(sample.repositories);
    const m = await startMockDtr({ storageDir: root });
    try {
      const repo = sample.repositories[0];
      const answer = await call(m, `/api/v0/repositories/${repo?.namespace}/${repo?.name}/tags`);
      expect(tagPageSchema.parse(answer.json()).map((t) => [t.name, t.digest])).toEqual(
        repo?.tags.map((t) => [t.name, t.digest]),
      );
      expect(m.state.storage).toEqual({ kind: 'path', path: root });
    } finally {
      await closeAgent(m);
      await m.close();
    }
  });
});
