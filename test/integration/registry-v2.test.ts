/**
 * The mock DTR's registry API v2 (src/mock-dtr/registry-v2.ts) over real HTTP(S): the bearer challenge,
 * the token service, manifests by digest and by tag, blobs, the registry's error envelope, 503 while
 * DTR is destroyed, and that it serves the storage DTR uses now, with tags from DTR's metadata.
 */
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent, fetch } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RegistryClient } from '../../src/api/registry.js';
import { blobDataPath } from '../../src/mock-dtr/registry-layout.js';
import { createSampleRegistry, mediaTypes, type SampleRegistry } from '../../src/mock-dtr/sample-registry.js';
import { startMockDtr } from '../../src/mock-dtr/server.js';
import type { MockDtr } from '../../src/mock-dtr/types.js';

interface Answer {
  readonly status: number;
  readonly headers: { get(name: string): string | null };
  readonly body: Buffer;
  json<T = unknown>(): T;
}

type As =
  'admin' | 'user' | 'none' | { readonly bearer: string } | { readonly username: string; readonly password: string };

const agents = new Map<MockDtr, Agent>();
/** Mocks a test starts besides the shared one, closed at the end. */
const extra: MockDtr[] = [];

async function call(mock: MockDtr, path: string, options: { method?: string; as?: As } = {}): Promise<Answer> {
  const as = options.as ?? 'none';
  const headers: Record<string, string> = {};
  if (as !== 'none') {
    if (typeof as === 'object' && 'bearer' in as) headers['authorization'] = `Bearer ${as.bearer}`;
    else {
      const who =
        as === 'admin'
          ? { username: mock.credentials.admin.username, password: mock.credentials.admin.token }
          : as === 'user'
            ? { username: mock.credentials.user.username, password: mock.credentials.user.token }
            : as;
      headers['authorization'] = `Basic ${Buffer.from(`${who.username}:${who.password}`).toString('base64')}`;
    }
  }
  let dispatcher = agents.get(mock);
  if (dispatcher === undefined) {
    dispatcher = new Agent(mock.caCertPem === undefined ? {} : { connect: { ca: mock.caCertPem } });
    agents.set(mock, dispatcher);
  }
  const res = await fetch(`${mock.url}${path}`, { method: options.method ?? 'GET', headers, dispatcher });
  const body = Buffer.from(await res.arrayBuffer());
  return { status: res.status, headers: res.headers, body, json: <T>() => JSON.parse(body.toString('utf8')) as T };
}

async function token(mock: MockDtr, repository: string, as: As = 'user'): Promise<string> {
  const host = String(mock.state.settings['dtrHost']);
  const answer = await call(
    mock,
    `/auth/token?service=${encodeURIComponent(host)}&scope=${encodeURIComponent(`repository:${repository}:pull`)}`,
    { as },
  );
  expect(answer.status).toBe(200);
  return answer.json<{ token: string }>().token;
}

const errorCode = (answer: Answer): string | undefined =>
  answer.json<{ errors: Array<{ code: string }> }>().errors[0]?.code;
const sha256 = (data: Buffer): string => `sha256:${createHash('sha256').update(data).digest('hex')}`;

let root: string;
let storage: string;
let sample: SampleRegistry;
let clock = Date.now();
let mock: MockDtr;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'dtr-migrate-registry-v2-'));
  storage = join(root, 'storage');
  sample = await createSampleRegistry(storage, { repositories: 2, tagsPerRepository: 2, layerBytes: 2048 });
  mock = await startMockDtr({ storageDir: storage, repositories: sample.repositories, now: () => clock });
});
afterAll(async () => {
  for (const agent of agents.values()) await agent.close();
  for (const m of [...extra, mock]) await m.close();
  await rm(root, { recursive: true, force: true });
});

/** The first repository's single-platform tag, its manifest and layer digests. */
async function firstImage(): Promise<{
  repository: string;
  tag: string;
  digest: string;
  config: string;
  layers: string[];
}> {
  const repo = sample.repositories[0];
  const tag = repo?.tags.find((t) => t.mediaType === mediaTypes.manifest);
  if (repo === undefined || tag === undefined) throw new Error('the sample has no single-platform tag');
  const manifest = JSON.parse(await readFile(join(storage, blobDataPath(tag.digest)), 'utf8')) as {
    config: { digest: string };
    layers: Array<{ digest: string }>;
  };
  return {
    repository: `${repo.namespace}/${repo.name}`,
    tag: tag.name,
    digest: tag.digest,
    config: manifest.config.digest,
    layers: manifest.layers.map((l) => l.digest),
  };
}

describe('registry API v2: authentication', () => {
  it('answers /v2/ without a token with 401 and a Bearer challenge naming the token service', async () => {
    const answer = await call(mock, '/v2/');
    expect(answer.status).toBe(401);
    const host = `127.0.0.1:${new URL(mock.url).port}`;
    expect(answer.headers.get('www-authenticate')).toBe(`Bearer realm="${mock.url}/auth/token",service="${host}"`);
    expect(answer.headers.get('docker-distribution-api-version')).toBe('registry/2.0');
    expect(errorCode(answer)).toBe('UNAUTHORIZED');
    // Basic credentials are not a bearer token.
    expect((await call(mock, '/v2/', { as: 'admin' })).status).toBe(401);
  });

  it('issues a token to the admin and the user, and refuses wrong or missing credentials with 401', async () => {
    const scope = '/auth/token?service=x&scope=repository:engineering/api:pull';
    expect((await call(mock, scope, { as: 'none' })).status).toBe(401);
    const wrong = await call(mock, scope, {
      as: { username: mock.credentials.admin.username, password: 'not-the-token' },
    });
    expect(wrong.status).toBe(401);
    expect(errorCode(wrong)).toBe('NOT_AUTHENTICATED');
    for (const as of ['admin', 'user'] as const) {
      const answer = await call(mock, scope, { as });
      expect(answer.status).toBe(200);
      const body = answer.json<{ token: string; access_token: string; expires_in: number }>();
      expect(body.token).toMatch(/^[\w-]{20,}$/);
      expect(body.access_token).toBe(body.token);
      expect(body.expires_in).toBe(300);
    }
    expect((await call(mock, '/auth/token?scope=repository:engineering/api', { as: 'user' })).status).toBe(400);
  });

  it('accepts a live token on /v2/, and refuses unknown, expired or out-of-scope tokens', async () => {
    const { repository, digest } = await firstImage();
    const good = await token(mock, repository);
    const ok = await call(mock, '/v2/', { as: { bearer: good } });
    expect(ok.status).toBe(200);
    expect(ok.json()).toEqual({});

    const bogus = await call(mock, '/v2/', { as: { bearer: 'made-up' } });
    expect(bogus.status).toBe(401);
    expect(bogus.headers.get('www-authenticate')).toContain('error="invalid_token"');

    const other = await token(mock, 'platform/web');
    const outOfScope = await call(mock, `/v2/${repository}/manifests/${digest}`, { as: { bearer: other } });
    expect(outOfScope.status).toBe(401);
    expect(outOfScope.headers.get('www-authenticate')).toContain(
      `scope="repository:${repository}:pull",error="insufficient_scope"`,
    );

    clock += 301_000;
    try {
      const expired = await call(mock, '/v2/', { as: { bearer: good } });
      expect(expired.status).toBe(401);
      expect(expired.headers.get('www-authenticate')).toContain('error="invalid_token"');
    } finally {
      clock -= 301_000;
    }
  });
});

describe('registry API v2: manifests and blobs', () => {
  it('serves a manifest by digest and by tag with its media type, digest and length', async () => {
    const { repository, tag, digest } = await firstImage();
    const bearer = await token(mock, repository);
    const stored = await readFile(join(storage, blobDataPath(digest)));
    for (const reference of [digest, tag]) {
      const got = await call(mock, `/v2/${repository}/manifests/${reference}`, { as: { bearer } });
      expect(got.status).toBe(200);
      expect(got.headers.get('content-type')).toBe(mediaTypes.manifest);
      expect(got.headers.get('docker-content-digest')).toBe(digest);
      expect(got.headers.get('content-length')).toBe(String(stored.length));
      expect(sha256(got.body)).toBe(digest);
      const head = await call(mock, `/v2/${repository}/manifests/${reference}`, { method: 'HEAD', as: { bearer } });
      expect(head.status).toBe(200);
      expect(head.body.length).toBe(0);
      expect(head.headers.get('content-type')).toBe(mediaTypes.manifest);
      expect(head.headers.get('docker-content-digest')).toBe(digest);
      expect(head.headers.get('content-length')).toBe(String(stored.length));
    }
    const list = sample.repositories[0]?.tags.find((t) => t.mediaType === mediaTypes.manifestList);
    const got = await call(mock, `/v2/${repository}/manifests/${list?.name ?? ''}`, { as: { bearer } });
    expect(got.headers.get('content-type')).toBe(mediaTypes.manifestList);
    expect(got.headers.get('docker-content-digest')).toBe(list?.digest);
  });

  it('serves a linked blob with HEAD and GET; the content matches its digest', async () => {
    const { repository, config, layers } = await firstImage();
    const bearer = await token(mock, repository);
    for (const digest of [config, ...layers]) {
      const head = await call(mock, `/v2/${repository}/blobs/${digest}`, { method: 'HEAD', as: { bearer } });
      expect(head.status).toBe(200);
      expect(head.headers.get('docker-content-digest')).toBe(digest);
      const got = await call(mock, `/v2/${repository}/blobs/${digest}`, { as: { bearer } });
      expect(got.status).toBe(200);
      expect(got.headers.get('content-type')).toBe('application/octet-stream');
      expect(head.headers.get('content-length')).toBe(String(got.body.length));
      expect(sha256(got.body)).toBe(digest);
    }
  });

  it('answers 404 in the registry envelope for what this repository does not link or DTR does not know', async () => {
    const { repository, tag, digest, layers } = await firstImage();
    const second = sample.repositories[1];
    const otherRepository = `${second?.namespace ?? ''}/${second?.name ?? ''}`;
    const bearer = await token(mock, repository);
    const otherBearer = await token(mock, otherRepository);
    const own = layers.at(-1) ?? '';
    // The blob is in the storage, but only the first repository links it.
    const unlinked = await call(mock, `/v2/${otherRepository}/blobs/${own}`, { as: { bearer: otherBearer } });
    expect(unlinked.status).toBe(404);
    expect(errorCode(unlinked)).toBe('BLOB_UNKNOWN');
    expect(
      (await call(mock, `/v2/${otherRepository}/blobs/${own}`, { method: 'HEAD', as: { bearer: otherBearer } })).status,
    ).toBe(404);
    expect(
      errorCode(await call(mock, `/v2/${otherRepository}/manifests/${digest}`, { as: { bearer: otherBearer } })),
    ).toBe('MANIFEST_UNKNOWN');
    // A manifest is not a blob of the blobs endpoint (docker/distribution links blobs in _layers only).
    expect(errorCode(await call(mock, `/v2/${repository}/blobs/${digest}`, { as: { bearer } }))).toBe('BLOB_UNKNOWN');
    expect(errorCode(await call(mock, `/v2/${repository}/manifests/no-such-tag`, { as: { bearer } }))).toBe(
      'MANIFEST_UNKNOWN',
    );
    expect(errorCode(await call(mock, `/v2/${repository}/blobs/sha256:${'0'.repeat(64)}`, { as: { bearer } }))).toBe(
      'BLOB_UNKNOWN',
    );
    const nobody = await token(mock, 'nobody/nothing');
    expect(errorCode(await call(mock, `/v2/nobody/nothing/manifests/${tag}`, { as: { bearer: nobody } }))).toBe(
      'NAME_UNKNOWN',
    );
    expect(errorCode(await call(mock, `/v2/${repository}/blobs/md5:abc`, { as: { bearer } }))).toBe('DIGEST_INVALID');
    expect(errorCode(await call(mock, '/v2/Engineering/API/manifests/latest', { as: { bearer } }))).toBe(
      'NAME_INVALID',
    );
    expect((await call(mock, `/v2/${repository}/manifests/${tag}`, { method: 'DELETE', as: { bearer } })).status).toBe(
      405,
    );
  });

  it('resolves tags through DTR metadata, not through the tag links of the storage', async () => {
    const { repository, tag, digest } = await firstImage();
    const bearer = await token(mock, repository);
    const repo = mock.state.repositories.find((r) => `${r.namespace}/${r.name}` === repository);
    const entry = repo?.tags.find((t) => t.name === tag);
    if (repo === undefined || entry === undefined) throw new Error('no such tag in the mock');
    repo.tags.push({ ...entry, name: 'only-in-metadata' });
    repo.tags = repo.tags.filter((t) => t.name !== tag);
    try {
      expect(errorCode(await call(mock, `/v2/${repository}/manifests/${tag}`, { as: { bearer } }))).toBe(
        'MANIFEST_UNKNOWN',
      );
      const byNewTag = await call(mock, `/v2/${repository}/manifests/only-in-metadata`, { as: { bearer } });
      expect(byNewTag.headers.get('docker-content-digest')).toBe(digest);
    } finally {
      repo.tags = repo.tags.filter((t) => t.name !== 'only-in-metadata');
      repo.tags.push(entry);
    }
  });

  it('serves the storage DTR uses now, and answers 503 while DTR is destroyed', async () => {
    const { repository, tag } = await firstImage();
    const bearer = await token(mock, repository);
    const empty = join(root, 'empty-storage');
    await mkdir(empty, { recursive: true });
    const before = mock.state.storage;
    mock.state.storage = { kind: 'path', path: empty };
    try {
      expect(errorCode(await call(mock, `/v2/${repository}/manifests/${tag}`, { as: { bearer } }))).toBe(
        'MANIFEST_UNKNOWN',
      );
    } finally {
      mock.state.storage = before;
    }
    expect((await call(mock, `/v2/${repository}/manifests/${tag}`, { as: { bearer } })).status).toBe(200);

    mock.state.installed = false;
    try {
      for (const path of ['/v2/', `/v2/${repository}/manifests/${tag}`, '/auth/token?scope=repository:x/y:pull']) {
        const answer = await call(mock, path, { as: 'user' });
        expect(answer.status).toBe(503);
        expect(errorCode(answer)).toBe('DTR_NOT_INSTALLED');
      }
    } finally {
      mock.state.installed = true;
    }
  });

  it('serves the default sample registry from memory when the mock runs on its default volume', async () => {
    const m = await startMockDtr();
    extra.push(m);
    const repo = m.state.repositories[0];
    const tag = repo?.tags[0];
    const repository = `${repo?.namespace ?? ''}/${repo?.name ?? ''}`;
    const got = await call(m, `/v2/${repository}/manifests/${tag?.name ?? ''}`, {
      as: { bearer: await token(m, repository) },
    });
    expect(got.status).toBe(200);
    expect(got.headers.get('docker-content-digest')).toBe(tag?.digest);
  });
});

describe('registry API v2 over HTTPS', () => {
  it('works with the mock CA: the challenge names https, and RegistryClient pulls manifests and blobs', async () => {
    const tlsRoot = join(root, 'tls');
    const tlsStorage = join(tlsRoot, 'storage');
    const tlsSample = await createSampleRegistry(tlsStorage, {
      repositories: 1,
      tagsPerRepository: 2,
      layerBytes: 1024,
    });
    const m = await startMockDtr({ tls: true, storageDir: tlsStorage, repositories: tlsSample.repositories });
    extra.push(m);
    const caFile = join(tlsRoot, 'ca.pem');
    await writeFile(caFile, m.caCertPem ?? '');
    const challenge = await call(m, '/v2/');
    expect(challenge.headers.get('www-authenticate')).toMatch(
      /^Bearer realm="https:\/\/127\.0\.0\.1:\d+\/auth\/token"/,
    );
    const client = new RegistryClient({
      baseUrl: m.url,
      username: m.credentials.user.username,
      secret: m.credentials.user.token,
      caCertFile: caFile,
      retryBudgetMs: 1_000,
    });
    try {
      const repo = tlsSample.repositories[0];
      const tag = repo?.tags.find((t) => t.mediaType === mediaTypes.manifest);
      const repository = `${repo?.namespace ?? ''}/${repo?.name ?? ''}`;
      const manifest = await client.getManifest(repository, tag?.digest ?? '');
      expect(manifest.status).toBe(200);
      const layer = (JSON.parse(manifest.text) as { layers: Array<{ digest: string }> }).layers[0]?.digest ?? '';
      const blob = await client.fetchBlob(repository, layer);
      expect(`sha256:${blob.sha256 ?? ''}`).toBe(layer);
      expect((await client.headBlob(repository, layer)).status).toBe(200);
    } finally {
      await client.close();
    }
  });
});
