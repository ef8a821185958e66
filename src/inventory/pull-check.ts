/**
 * Can every tag of the inventory be pulled from DTR? Through the registry API (`/v2/`), as docker
 * would: each tag's manifest, the manifests a list or index names, and every config and layer blob.
 * `head` asks for each with HEAD; `sample` also downloads and hashes a sample of the blobs; `full`
 * downloads and hashes them all. Every blob is checked once however many tags share it, and so is
 * every manifest. In every mode a manifest must hash to its digest (docker checks that too when it
 * pulls by digest) and a blob must have the size its manifest gives it (HEAD's Content-Length), so
 * a truncated blob is found without downloading it; only a same-size corruption needs `full`.
 */
import { createHash } from 'node:crypto';
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

interface BlobRef {
  readonly digest: string;
  /** The size the manifest gives (schema2 and OCI); schema1 gives none. */
  readonly size: number | undefined;
}

interface Refs {
  readonly children: string[];
  readonly blobs: BlobRef[];
}

type Descriptor = { digest?: unknown; size?: unknown; blobSum?: unknown };

function referencesOf(text: string): Refs | undefined {
  try {
    const m = JSON.parse(text) as {
      manifests?: Descriptor[];
      config?: Descriptor;
      layers?: Descriptor[];
      fsLayers?: Descriptor[];
    };
    const refs = (list: readonly Descriptor[], key: 'digest' | 'blobSum'): BlobRef[] =>
      list.flatMap((d) =>
        typeof d[key] === 'string' ? [{ digest: d[key], size: typeof d.size === 'number' ? d.size : undefined }] : [],
      );
    if (Array.isArray(m.manifests)) return { children: refs(m.manifests, 'digest').map((r) => r.digest), blobs: [] };
    return {
      children: [],
      blobs: [
        ...refs(m.config === undefined ? [] : [m.config], 'digest'),
        ...refs(m.layers ?? [], 'digest'),
        ...refs(m.fsLayers ?? [], 'blobSum'),
      ],
    };
  } catch {
    return undefined;
  }
}

const sha256Of = (text: string): string => `sha256:${createHash('sha256').update(text, 'utf8').digest('hex')}`;

function contentLength(headers: Readonly<Record<string, string | string[] | undefined>>): number | undefined {
  const value = headers['content-length'];
  const n = Number(Array.isArray(value) ? value[0] : value);
  return value === undefined || !Number.isSafeInteger(n) ? undefined : n;
}

export async function pullCheck(
  registry: RegistryClient,
  tags: readonly InventoryEntry[],
  options: PullCheckOptions,
): Promise<PullCheckResult> {
  const problems: PullProblem[] = [];
  const blobs = new Map<string, Promise<string | undefined>>();
  const manifests = new Map<string, Promise<Refs | { readonly problem: string }>>();
  let blobIndex = 0;
  let blobsFetched = 0;
  let tagsDone = 0;
  const every = Math.max(1, options.sampleEvery ?? 20);

  /** Undefined when the blob is there (and, when fetched, hashes to its digest); else what is wrong. */
  const checkBlob = (repository: string, { digest, size }: BlobRef): Promise<string | undefined> => {
    const key = `${repository}@${digest}`;
    let known = blobs.get(key);
    if (known === undefined) {
      const fetch = options.mode === 'full' || (options.mode === 'sample' && blobIndex % every === 0);
      blobIndex += 1;
      known = (async () => {
        if (!fetch) {
          const head = await registry.headBlob(repository, digest);
          if (head.status !== 200) return `blob ${digest} answers HTTP ${head.status}`;
          const length = contentLength(head.headers);
          return size === undefined || length === undefined || length === size
            ? undefined
            : `blob ${digest} is ${length} bytes, its manifest says ${size}`;
        }
        const got = await registry.fetchBlob(repository, digest);
        blobsFetched += 1;
        if (got.status !== 200) return `blob ${digest} answers HTTP ${got.status}`;
        if (size !== undefined && got.bytes !== undefined && got.bytes !== size)
          return `blob ${digest} is ${got.bytes} bytes, its manifest says ${size}`;
        return `sha256:${got.sha256 ?? ''}` === digest
          ? undefined
          : `blob ${digest} downloads with another digest (sha256:${got.sha256 ?? '?'})`;
      })();
      blobs.set(key, known);
    }
    return known;
  };

  /** The manifest's references, or what is wrong with it; fetched once per repository and digest. */
  const fetchManifest = (repository: string, digest: string): Promise<Refs | { readonly problem: string }> => {
    const key = `${repository}@${digest}`;
    let known = manifests.get(key);
    if (known === undefined) {
      known = (async () => {
        const response = await registry.getManifest(repository, digest);
        if (response.status !== 200) return { problem: `manifest ${digest} answers HTTP ${response.status}` };
        const actual = sha256Of(response.text);
        if (digest.startsWith('sha256:') && actual !== digest)
          return { problem: `manifest ${digest} downloads with another digest (${actual})` };
        return referencesOf(response.text) ?? { problem: `manifest ${digest} is not readable JSON` };
      })();
      manifests.set(key, known);
    }
    return known;
  };

  const checkManifest = async (entry: InventoryEntry, digest: string, depth: number): Promise<void> => {
    const refs = await fetchManifest(entry.repository, digest);
    if ('problem' in refs) {
      problems.push({ ...entry, problem: refs.problem });
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
  return {
    ok: problems.length === 0,
    manifestsChecked: manifests.size,
    blobsChecked: blobs.size,
    blobsFetched,
    problems,
  };
}
