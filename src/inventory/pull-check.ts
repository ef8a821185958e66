/**
 * Can every tag of the inventory be pulled from DTR? Through the registry API (`/v2/`), as docker
 * would: each tag's manifest, the manifests a list or index names, and every config and layer blob.
 * `head` asks for each with HEAD; `sample` also downloads and hashes a sample of the blobs; `full`
 * downloads and hashes them all. Every blob is checked once however many tags share it.
 */
import type { RegistryClient } from '../api/registry.js';
import type { InventoryEntry } from './tags.js';

export const pullCheckModes = ['none', 'head', 'sample', 'full'] as const;
export type PullCheckMode = (typeof pullCheckModes)[number];

export interface PullProblem {
  readonly repository: string;
  readonly tag: string;
  readonly digest: string;
  readonly problem: string;
}

export interface PullCheckResult {
  readonly ok: boolean;
  readonly manifestsChecked: number;
  readonly blobsChecked: number;
  readonly blobsFetched: number;
  readonly problems: readonly PullProblem[];
}

export interface PullCheckOptions {
  readonly mode: Exclude<PullCheckMode, 'none'>;
  readonly concurrency?: number;
  /** In `sample` mode, hash every n-th blob (at least one). @default 20 */
  readonly sampleEvery?: number;
  readonly onProgress?: (tags: number, blobs: number) => void;
}

interface Refs {
  readonly children: string[];
  readonly blobs: string[];
}

function referencesOf(text: string): Refs | undefined {
  try {
    const m = JSON.parse(text) as { manifests?: Array<{ digest?: string }>; config?: { digest?: string }; layers?: Array<{ digest?: string }>; fsLayers?: Array<{ blobSum?: string }> };
    const digests = (list: Array<{ digest?: string } | { blobSum?: string }> | undefined, key: 'digest' | 'blobSum'): string[] =>
      (list ?? []).map((x) => (x as Record<string, unknown>)[key]).filter((d): d is string => typeof d === 'string');
    if (Array.isArray(m.manifests)) return { children: digests(m.manifests, 'digest'), blobs: [] };
    return { children: [], blobs: [...(typeof m.config?.digest === 'string' ? [m.config.digest] : []), ...digests(m.layers, 'digest'), ...digests(m.fsLayers, 'blobSum')] };
  } catch {
    return undefined;
  }
}

export async function pullCheck(registry: RegistryClient, tags: readonly InventoryEntry[], options: PullCheckOptions): Promise<PullCheckResult> {
  const problems: PullProblem[] = [];
  const blobs = new Map<string, Promise<string | undefined>>();
  const manifests = new Set<string>();
  let blobIndex = 0;
  let blobsFetched = 0;
  let tagsDone = 0;
  const every = Math.max(1, options.sampleEvery ?? 20);

  /** Undefined when the blob is there (and, when fetched, hashes to its digest); else what is wrong. */
  const checkBlob = (repository: string, digest: string): Promise<string | undefined> => {
    const key = `${repository}@${digest}`;
    let known = blobs.get(key);
    if (known === undefined) {
      const fetch = options.mode === 'full' || (options.mode === 'sample' && blobIndex % every === 0);
      blobIndex += 1;
      known = (async () => {
        if (!fetch) {
          const head = await registry.headBlob(repository, digest);
          return head.status === 200 ? undefined : `blob ${digest} answers HTTP ${head.status}`;
        }
        const got = await registry.fetchBlob(repository, digest);
        blobsFetched += 1;
        if (got.status !== 200) return `blob ${digest} answers HTTP ${got.status}`;
        return `sha256:${got.sha256 ?? ''}` === digest ? undefined : `blob ${digest} downloads with another digest (sha256:${got.sha256 ?? '?'})`;
      })();
      blobs.set(key, known);
    }
    return known;
  };

  const checkManifest = async (entry: InventoryEntry, digest: string, depth: number): Promise<void> => {
    manifests.add(`${entry.repository}@${digest}`);
    const response = await registry.getManifest(entry.repository, digest);
    if (response.status !== 200) {
      problems.push({ ...entry, problem: `manifest ${digest} answers HTTP ${response.status}` });
      return;
    }
    const refs = referencesOf(response.text);
    if (refs === undefined) {
      problems.push({ ...entry, problem: `manifest ${digest} is not readable JSON` });
      return;
    }
    for (const child of refs.children) if (depth < 4) await checkManifest(entry, child, depth + 1);
    for (const blob of refs.blobs) {
      const problem = await checkBlob(entry.repository, blob);
      if (problem !== undefined) problems.push({ ...entry, problem });
    }
  };

  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < tags.length) {
      const entry = tags[next];
      next += 1;
      if (entry === undefined) continue;
      await checkManifest(entry, entry.digest, 0);
      tagsDone += 1;
      options.onProgress?.(tagsDone, blobs.size);
    }
  };
  await Promise.all(Array.from({ length: Math.min(options.concurrency ?? 8, Math.max(1, tags.length)) }, worker));
  return { ok: problems.length === 0, manifestsChecked: manifests.size, blobsChecked: blobs.size, blobsFetched, problems };
}
