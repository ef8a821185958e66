/**
 * Before DTR is pointed at the new storage: does it hold, for every tag of the inventory, the
 * manifest, and everything that manifest needs? Manifest lists and OCI indexes are followed to their
 * child manifests; image manifests to their config and layers (schema1's fsLayers too). Each blob is
 * looked up once, however many tags share it, and reading is bounded in parallel.
 */
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { InventoryEntry } from './tags.js';

const registryRoot = join('docker', 'registry', 'v2');

export function blobPath(storageRoot: string, digest: string): string {
  const hex = digest.replace(/^sha256:/, '');
  return join(storageRoot, registryRoot, 'blobs', 'sha256', hex.slice(0, 2), hex, 'data');
}

/** Is the blob's data file there (a blob missing from the old storage too was lost before the migration)? */
export function blobExists(storageRoot: string, digest: string): Promise<boolean> {
  return stat(blobPath(storageRoot, digest)).then(
    () => true,
    () => false,
  );
}

export interface MissingContent {
  /** The tag whose image cannot be served. */
  readonly repository: string;
  readonly tag: string;
  /** The manifest the tag names. */
  readonly manifest: string;
  /** What is missing: the manifest itself, a child manifest, the config or a layer. */
  readonly missing: string;
  readonly role: 'manifest' | 'child manifest' | 'config' | 'layer' | 'unreadable manifest';
}

export interface StorageCheck {
  readonly ok: boolean;
  readonly tagsChecked: number;
  readonly manifestsChecked: number;
  readonly blobsChecked: number;
  readonly missing: readonly MissingContent[];
}

type Need = { readonly digest: string; readonly role: MissingContent['role'] };

interface ManifestJson {
  mediaType?: string;
  manifests?: Array<{ digest?: string }>;
  config?: { digest?: string };
  layers?: Array<{ digest?: string }>;
  fsLayers?: Array<{ blobSum?: string }>;
}

/** The digests a manifest refers to, with what each is for. */
function referencesOf(manifest: ManifestJson): Need[] {
  if (Array.isArray(manifest.manifests)) {
    return manifest.manifests.flatMap((m) =>
      typeof m.digest === 'string' ? [{ digest: m.digest, role: 'child manifest' as const }] : [],
    );
  }
  const needs: Need[] = [];
  if (typeof manifest.config?.digest === 'string') needs.push({ digest: manifest.config.digest, role: 'config' });
  for (const layer of manifest.layers ?? [])
    if (typeof layer.digest === 'string') needs.push({ digest: layer.digest, role: 'layer' });
  for (const layer of manifest.fsLayers ?? [])
    if (typeof layer.blobSum === 'string') needs.push({ digest: layer.blobSum, role: 'layer' });
  return needs;
}

/** A manifest's references, or undefined for a blob that is not a JSON object (a corrupt or mistaken tag). */
function parseManifest(text: string): Need[] | undefined {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return undefined;
  }
  return typeof json === 'object' && json !== null && !Array.isArray(json)
    ? referencesOf(json as ManifestJson)
    : undefined;
}

export async function checkStorageHoldsTags(
  storageRoot: string,
  tags: readonly InventoryEntry[],
  concurrency = 16,
): Promise<StorageCheck> {
  const exists = new Map<string, Promise<boolean>>();
  const manifests = new Map<string, Promise<Need[] | undefined>>();
  const blobExists = (digest: string): Promise<boolean> => {
    let known = exists.get(digest);
    if (known === undefined) {
      known = stat(blobPath(storageRoot, digest)).then(
        (s) => s.isFile(),
        () => false,
      );
      exists.set(digest, known);
    }
    return known;
  };
  /** The references of a manifest blob, or undefined when it is not readable JSON. */
  const readManifest = (digest: string): Promise<Need[] | undefined> => {
    let known = manifests.get(digest);
    if (known === undefined) {
      known = readFile(blobPath(storageRoot, digest), 'utf8').then(parseManifest, () => undefined);
      manifests.set(digest, known);
    }
    return known;
  };
  const missing: MissingContent[] = [];
  const checkTag = async (entry: InventoryEntry): Promise<void> => {
    const report = (missingDigest: string, role: MissingContent['role']): void => {
      missing.push({
        repository: entry.repository,
        tag: entry.tag,
        manifest: entry.digest,
        missing: missingDigest,
        role,
      });
    };
    const visit = async (digest: string, role: 'manifest' | 'child manifest', depth: number): Promise<void> => {
      if (!(await blobExists(digest))) return report(digest, role);
      const needs = await readManifest(digest);
      if (needs === undefined) return report(digest, 'unreadable manifest');
      for (const need of needs) {
        if (need.role === 'child manifest' && depth < 4) await visit(need.digest, 'child manifest', depth + 1);
        else if (!(await blobExists(need.digest))) report(need.digest, need.role);
      }
    };
    await visit(entry.digest, 'manifest', 0);
  };
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < tags.length) {
      const entry = tags[next];
      next += 1;
      if (entry !== undefined) await checkTag(entry);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, Math.max(1, tags.length)) }, worker));
  return {
    ok: missing.length === 0,
    tagsChecked: tags.length,
    manifestsChecked: manifests.size,
    blobsChecked: exists.size,
    missing,
  };
}

export function describeMissing(check: StorageCheck, shown = 5): string {
  const lines = check.missing
    .slice(0, shown)
    .map(
      (m) => `${m.repository}:${m.tag} (${m.manifest.slice(0, 19)}…) lacks its ${m.role} ${m.missing.slice(0, 19)}…`,
    );
  return `${check.missing.length} missing in the new storage: ${lines.join('; ')}${check.missing.length > shown ? '; …' : ''}`;
}
