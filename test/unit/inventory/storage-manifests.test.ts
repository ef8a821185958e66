import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { blobPath, checkStorageHoldsTags } from '../../../src/inventory/storage-manifests.js';
import { createSampleRegistry } from '../../../src/mock-dtr/sample-registry.js';

async function sample(): Promise<{ root: string; tags: Array<{ repository: string; tag: string; digest: string }> }> {
  const root = await mkdtemp(join(tmpdir(), 'manifests-'));
  const registry = await createSampleRegistry(root, {});
  const tags = registry.repositories.flatMap((r) =>
    r.tags.map((t) => ({ repository: `${r.namespace}/${r.name}`, tag: t.name, digest: t.digest })),
  );
  return { root, tags };
}

describe('checkStorageHoldsTags', () => {
  it('finds every manifest, child manifest, config and layer of a whole storage', async () => {
    const { root, tags } = await sample();
    const check = await checkStorageHoldsTags(root, tags);
    expect(check.ok).toBe(true);
    expect(check.tagsChecked).toBe(tags.length);
    expect(check.blobsChecked).toBeGreaterThan(tags.length);
  });

  it('catches a manifest list whose child manifest is missing', async () => {
    const { root, tags } = await sample();
    const lists: Array<{ tag: (typeof tags)[number]; child: string }> = [];
    for (const tag of tags) {
      const json = JSON.parse(await readFile(blobPath(root, tag.digest), 'utf8')) as {
        manifests?: Array<{ digest: string }>;
      };
      const child = json.manifests?.[0]?.digest;
      if (child !== undefined) lists.push({ tag, child });
    }
    expect(lists.length).toBeGreaterThan(0);
    const { tag, child } = lists[0] ?? { tag: undefined, child: '' };
    await rm(blobPath(root, child));
    const check = await checkStorageHoldsTags(root, tags);
    expect(check.ok).toBe(false);
    expect(check.missing).toContainEqual(
      expect.objectContaining({ repository: tag?.repository, tag: tag?.tag, missing: child, role: 'child manifest' }),
    );
  });

  it('names the tag, manifest and layer when a layer blob is gone', async () => {
    const { root, tags } = await sample();
    const image = tags.find(() => true);
    if (image === undefined) throw new Error('sample has no tags');
    const manifest = JSON.parse(await readFile(blobPath(root, image.digest), 'utf8')) as {
      layers?: Array<{ digest: string }>;
      manifests?: Array<{ digest: string }>;
    };
    const target = manifest.layers?.[0]?.digest ?? manifest.manifests?.[0]?.digest ?? '';
    await rm(blobPath(root, target));
    const check = await checkStorageHoldsTags(root, tags);
    expect(check.missing.some((m) => m.missing === target && m.repository === image.repository)).toBe(true);
  });

  it('names a tag whose manifest blob is not JSON as a problem, instead of failing the whole check', async () => {
    const { root, tags } = await sample();
    const first = tags[0]!;
    for (const text of ['not json at all', 'null', '42']) {
      await writeFile(blobPath(root, first.digest), text);
      const check = await checkStorageHoldsTags(root, tags);
      expect(check.ok).toBe(false);
      expect(check.missing).toContainEqual(
        expect.objectContaining({ repository: first.repository, tag: first.tag, role: 'unreadable manifest' }),
      );
    }
  });
});
