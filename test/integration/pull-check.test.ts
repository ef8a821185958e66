/**
 * The pull check (src/inventory/pull-check.ts) through RegistryClient against the mock DTR's registry
 * API, on a sample registry in a temp folder that each test damages as a failed copy would: a layer
 * missing, a child of a manifest list missing, a blob corrupted or cut short, a manifest corrupted.
 * Also: a tag DTR lost while restoring a backup is reported lost (the `dropTagsOnRestore` fault).
 */
import { readdir, readFile, rm, mkdtemp, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fetch } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { DtrClient } from '../../src/api/client.js';
import type { HttpOptions } from '../../src/api/http.js';
import { RegistryClient } from '../../src/api/registry.js';
import { isMigrateError } from '../../src/errors.js';
import { gatherEvidence } from '../../src/inventory/evidence.js';
import { pullCheck, type PullCheckResult } from '../../src/inventory/pull-check.js';
import { takeInventory, type InventoryEntry } from '../../src/inventory/tags.js';
import { blobDataPath, repositoryDir } from '../../src/mock-dtr/registry-layout.js';
import { createSampleRegistry, mediaTypes, type SampleRegistry } from '../../src/mock-dtr/sample-registry.js';
import { startMockDtr } from '../../src/mock-dtr/server.js';
import type { MockDtr } from '../../src/mock-dtr/types.js';

interface Fixture {
  readonly storage: string;
  readonly sample: SampleRegistry;
  readonly mock: MockDtr;
  readonly connection: HttpOptions;
  readonly registry: RegistryClient;
  readonly tags: InventoryEntry[];
  /** The mock's clock: tests may move it. */
  readonly clock: { now: number };
}

const open: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const close of open.splice(0).reverse()) await close();
});

async function fixture(): Promise<Fixture> {
  const root = await mkdtemp(join(tmpdir(), 'dtr-migrate-pull-check-'));
  open.push(() => rm(root, { recursive: true, force: true }));
  const storage = join(root, 'storage');
  const sample = await createSampleRegistry(storage, {
    repositories: 3,
    tagsPerRepository: 2,
    layersPerImage: 3,
    layerBytes: 2048,
  });
  const clock = { now: Date.now() };
  const mock = await startMockDtr({
    storageDir: storage,
    repositories: sample.repositories,
    now: () => clock.now,
    jobDurationMs: 50,
  });
  open.push(() => mock.close());
  const connection: HttpOptions = {
    baseUrl: mock.url,
    username: mock.credentials.user.username,
    secret: mock.credentials.user.token,
    retryBudgetMs: 500,
  };
  const registry = new RegistryClient(connection);
  open.push(() => registry.close());
  const tags = sample.repositories.flatMap((r) =>
    r.tags.map((t) => ({ repository: `${r.namespace}/${r.name}`, tag: t.name, digest: t.digest })),
  );
  return { storage, sample, mock, connection, registry, tags, clock };
}

/** What a whole check must count: every revision link is a manifest, every `_layers` link a blob. */
async function linkCounts(f: Fixture): Promise<{ manifests: number; blobs: number }> {
  let manifests = 0;
  let blobs = 0;
  for (const { repository } of new Map(f.tags.map((t) => [t.repository, t])).values()) {
    const dir = join(f.storage, repositoryDir(repository));
    manifests += (await readdir(join(dir, '_manifests', 'revisions', 'sha256'))).length;
    blobs += (await readdir(join(dir, '_layers', 'sha256'))).length;
  }
  return { manifests, blobs };
}

async function manifestOf(
  f: Fixture,
  digest: string,
): Promise<{ layers?: Array<{ digest: string }>; manifests?: Array<{ digest: string }> }> {
  return JSON.parse(await readFile(join(f.storage, blobDataPath(digest)), 'utf8')) as {
    layers?: Array<{ digest: string }>;
    manifests?: Array<{ digest: string }>;
  };
}

/** A single-platform tag and the digest of its last layer (unique to that image: layer 0 is shared). */
async function ownLayer(f: Fixture, index = 0): Promise<{ entry: InventoryEntry; layer: string }> {
  const entry = f.tags.filter((t) =>
    f.sample.repositories.some((r) => r.tags.some((s) => s.digest === t.digest && s.mediaType === mediaTypes.manifest)),
  )[index];
  const layer = entry === undefined ? undefined : (await manifestOf(f, entry.digest)).layers?.at(-1)?.digest;
  if (entry === undefined || layer === undefined) throw new Error('the sample has no such image');
  return { entry, layer };
}

/** Changes one byte in the middle of a stored blob: same length, another digest. */
async function corrupt(f: Fixture, digest: string): Promise<void> {
  const path = join(f.storage, blobDataPath(digest));
  const data = await readFile(path);
  const at = Math.floor(data.length / 2);
  data[at] = (data[at] ?? 0) ^ 0x20;
  await writeFile(path, data);
}

const problemsOf = (result: PullCheckResult): string[] =>
  result.problems.map((p) => `${p.repository}:${p.tag} ${p.problem}`);

describe('pull check against the mock registry', () => {
  it('passes on a whole storage in head, sample and full modes, counting each manifest and blob once', async () => {
    const f = await fixture();
    const expected = await linkCounts(f);
    expect(expected.blobs).toBeGreaterThan(10);

    const head = await pullCheck(f.registry, f.tags, { mode: 'head' });
    expect(problemsOf(head)).toEqual([]);
    expect(head).toMatchObject({
      ok: true,
      manifestsChecked: expected.manifests,
      blobsChecked: expected.blobs,
      blobsFetched: 0,
    });

    const sample = await pullCheck(f.registry, f.tags, { mode: 'sample', sampleEvery: 3 });
    expect(sample).toMatchObject({
      ok: true,
      manifestsChecked: expected.manifests,
      blobsChecked: expected.blobs,
      blobsFetched: Math.ceil(expected.blobs / 3),
    });

    const progress: number[] = [];
    const full = await pullCheck(f.registry, f.tags, {
      mode: 'full',
      concurrency: 2,
      onProgress: (tags) => progress.push(tags),
    });
    expect(full).toMatchObject({
      ok: true,
      manifestsChecked: expected.manifests,
      blobsChecked: expected.blobs,
      blobsFetched: expected.blobs,
    });
    expect(progress.at(-1)).toBe(f.tags.length);
  });

  it('reports the tag whose layer blob is missing from the storage, with the blob digest', async () => {
    const f = await fixture();
    const { entry, layer } = await ownLayer(f);
    await unlink(join(f.storage, blobDataPath(layer)));
    for (const mode of ['head', 'full'] as const) {
      const result = await pullCheck(f.registry, f.tags, { mode });
      expect(result.ok).toBe(false);
      expect(result.problems).toEqual([{ ...entry, problem: `blob ${layer} answers HTTP 404` }]);
    }
  });

  it('reports the tag of a manifest list whose child manifest is missing', async () => {
    const f = await fixture();
    const list = f.tags.find((t) =>
      f.sample.repositories.some((r) =>
        r.tags.some((s) => s.digest === t.digest && s.mediaType === mediaTypes.manifestList),
      ),
    );
    if (list === undefined) throw new Error('the sample has no manifest list');
    const child = (await manifestOf(f, list.digest)).manifests?.[1]?.digest ?? '';
    await unlink(join(f.storage, blobDataPath(child)));
    const result = await pullCheck(f.registry, f.tags, { mode: 'head' });
    expect(result.problems).toEqual([{ ...list, problem: `manifest ${child} answers HTTP 404` }]);
  });

  it('finds a same-length corruption of a blob in full mode only', async () => {
    const f = await fixture();
    const { entry, layer } = await ownLayer(f, 1);
    await corrupt(f, layer);
    expect(problemsOf(await pullCheck(f.registry, f.tags, { mode: 'head' }))).toEqual([]);
    const full = await pullCheck(f.registry, f.tags, { mode: 'full' });
    expect(full.problems).toHaveLength(1);
    expect(full.problems[0]).toMatchObject(entry);
    expect(full.problems[0]?.problem).toMatch(
      new RegExp(`^blob ${layer} downloads with another digest \\(sha256:[0-9a-f]{64}\\)$`),
    );
  });

  it('finds a blob cut short and a corrupted manifest even in head mode', async () => {
    const f = await fixture();
    const { entry: cut, layer } = await ownLayer(f, 0);
    const path = join(f.storage, blobDataPath(layer));
    const data = await readFile(path);
    await writeFile(path, data.subarray(0, data.length - 100));
    const { entry: damaged } = await ownLayer(f, 1);
    await corrupt(f, damaged.digest);
    const result = await pullCheck(f.registry, f.tags, { mode: 'head' });
    const problems = problemsOf(result);
    expect(problems).toHaveLength(2);
    expect(problems).toContain(
      `${cut.repository}:${cut.tag} blob ${layer} is ${data.length - 100} bytes, its manifest says ${data.length}`,
    );
    expect(problems.find((p) => p.startsWith(`${damaged.repository}:${damaged.tag} `))).toMatch(
      new RegExp(`manifest ${damaged.digest} downloads with another digest \\(sha256:[0-9a-f]{64}\\)$`),
    );
  });

  it('gets a new token when the first one expired during a long check', async () => {
    const f = await fixture();
    const tokenRequests = (): number => f.mock.requests.filter((r) => r.path === '/auth/token').length;
    expect((await pullCheck(f.registry, f.tags, { mode: 'head' })).ok).toBe(true);
    const first = tokenRequests();
    expect(first).toBe(f.sample.repositories.length);
    f.clock.now += 10 * 60_000;
    const again = await pullCheck(f.registry, f.tags, { mode: 'head' });
    expect(problemsOf(again)).toEqual([]);
    expect(tokenRequests()).toBe(2 * first);
  });

  it('fails with a clear error, not one problem per tag, while DTR is destroyed', async () => {
    const f = await fixture();
    f.mock.state.installed = false;
    const error = await pullCheck(f.registry, f.tags, { mode: 'head' }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isMigrateError(error) && error.code).toBe('API_ERROR');
    expect((error as Error).message).toContain('HTTP 503');
  });
});

describe('a tag DTR loses during restore (dropTagsOnRestore)', () => {
  async function bootstrapper(
    mock: MockDtr,
    command: string,
    body: Record<string, unknown>,
  ): Promise<{ log: string[]; archive?: string }> {
    const { username, password } = mock.credentials.ucp;
    const res = await fetch(`${mock.url}/_mock/bootstrapper/${command}`, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify({
        imageRepository: 'docker/dtr',
        imageVersion: mock.version,
        ucpUrl: mock.url,
        replicaId: mock.replicaId,
        ...body,
      }),
    });
    const text = await res.text();
    if (res.status !== 200) throw new Error(`${command}: HTTP ${res.status} ${text}`);
    return JSON.parse(text) as { log: string[]; archive?: string };
  }

  it('is reported lost after backup, destroy and restore, and left out of the pull check', async () => {
    const f = await fixture();
    const api = new DtrClient({
      ...f.connection,
      username: f.mock.credentials.admin.username,
      secret: f.mock.credentials.admin.token,
    });
    open.push(() => api.close());
    const before = await takeInventory(api);
    expect(before.tags).toHaveLength(f.tags.length);
    const lost = f.tags[2];
    if (lost === undefined) throw new Error('the sample is too small');

    const { archive } = await bootstrapper(f.mock, 'backup', {});
    await bootstrapper(f.mock, 'destroy', {});
    f.mock.state.dropTagsOnRestore = [`${lost.repository}:${lost.tag}`];
    await bootstrapper(f.mock, 'restore', { storage: { kind: 'path', path: f.storage }, archive });
    expect(f.mock.state.installed).toBe(true);

    const evidence = await gatherEvidence({ api, connection: f.connection, before, pullCheck: 'head' });
    expect(evidence.ok).toBe(false);
    expect(evidence.comparison?.missing).toEqual([lost]);
    expect(evidence.problems).toEqual([`lost: ${lost.repository}:${lost.tag} (${lost.digest})`]);
    expect(evidence.pull).toMatchObject({ ok: true });
    expect(evidence.summary).toContain('1 lost, 0 changed');

    // Its images are still in the storage: only DTR's metadata lost the tag.
    const byTag = await f.registry.getManifest(lost.repository, lost.tag);
    expect(byTag.status).toBe(404);
    expect((await f.registry.getManifest(lost.repository, lost.digest)).status).toBe(200);
  });
});
