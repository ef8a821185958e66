/**
 * The Docker Registry HTTP API v2 of the mock DTR (shared/reference/dtr-api.md, sections 6, 7, 10),
 * served from the storage DTR uses NOW (`state.storage`), so a tag whose blobs did not reach the new
 * storage cannot be pulled from it, as on DTR:
 *
 * - `GET /v2/`: 401 with `WWW-Authenticate: Bearer realm="<scheme>://<dtr host>/auth/token",
 *   service="<dtr host>"` without a valid bearer token, 200 `{}` with one. The token comes from
 *   registry-token.ts.
 * - `HEAD`/`GET /v2/<name>/manifests/<reference>`: a tag resolves through DTR's metadata (the tags of
 *   `state.repositories`: since 2.6 they live in the metadata store, not in the storage layout [doc]);
 *   a digest is served from `blobs/sha256/<xx>/<hex>/data` only when the repository links it under
 *   `_manifests/revisions/sha256/<hex>/link` (or `_layers/`, which docker/distribution also searches
 *   because 2.1.0 linked manifests there). Headers: `Content-Type` (the manifest's `mediaType`),
 *   `Docker-Content-Digest`, `Content-Length`.
 * - `HEAD`/`GET /v2/<name>/blobs/<digest>`: only when linked under `_layers/sha256/<hex>/link`: that
 *   is docker/distribution's blob store (its `linkPathFns` for blobs are `_layers` only), so a
 *   manifest is not a blob of this endpoint.
 * - Errors in the registry's envelope: 404 `NAME_UNKNOWN` (no such repository in DTR's metadata),
 *   `MANIFEST_UNKNOWN`, `BLOB_UNKNOWN`; 400 `NAME_INVALID`, `TAG_INVALID`, `DIGEST_INVALID`; 401
 *   `UNAUTHORIZED` with the challenge (plus `error="invalid_token"` for an unknown, expired or
 *   other-service token, `error="insufficient_scope"` for a token without pull on the repository);
 *   405 `UNSUPPORTED` for any method but GET and HEAD; 503 `DTR_NOT_INSTALLED` while DTR is destroyed,
 *   as for the rest of the mock. Every answer carries `Docker-Distribution-API-Version: registry/2.0`.
 *
 * Mock choices: only sha256 digests; manifests are served as stored, whatever `Accept` says (no
 * schema1 conversion, no platform pick from a list) and without being parsed beyond `mediaType`; a
 * link must hold exactly the digest it is filed under; the storage is readable when it is a host
 * folder (`kind: 'path'`); the default volume holds the default sample registry (in memory) when the
 * mock was started on it, and is empty otherwise; a named volume or an NFS export is empty to the
 * mock, which cannot look into them.
 */
import { readFile, stat } from 'node:fs/promises';
import type { IncomingHttpHeaders } from 'node:http';
import { join } from 'node:path';
import { storageFolderOf } from './docker-daemon.js';
import { errorReply, json, type Reply } from './http-util.js';
import { blobDataPath, layerLinkPath, revisionLinkPath } from './registry-layout.js';
import { answerTokenRequest, registryTokenPath, RegistryTokens } from './registry-token.js';
import { planSampleRegistry } from './sample-registry.js';
import type { MockRepository, MockState } from './state.js';
import type { MockCredentials } from './types.js';

/** docker/distribution's repository name grammar: no empty, `.` or `..` component can reach a path. */
const namePattern = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$/;
const tagPattern = /^\w[\w.-]{0,127}$/;
const sha256Pattern = /^sha256:[0-9a-f]{64}$/;
const anyDigestPattern = /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/;
const routePattern = /^\/v2\/(.+)\/(manifests|blobs)\/([^/]+)$/;
const apiVersion = { 'docker-distribution-api-version': 'registry/2.0' };

export const isRegistryPath = (pathname: string): boolean =>
  pathname === '/v2' || pathname.startsWith('/v2/') || pathname === registryTokenPath;

export interface RegistryRequest {
  readonly method: string;
  readonly pathname: string;
  readonly query: URLSearchParams;
  readonly headers: IncomingHttpHeaders;
}

/** Files of the storage, by path relative to its root; undefined when absent. */
interface StorageReader {
  read(path: string): Promise<Buffer | undefined>;
  size(path: string): Promise<number | undefined>;
}

const absent = (error: unknown): undefined => {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT' || code === 'ENOTDIR' || code === 'EISDIR') return undefined;
  throw error;
};

function folderReader(root: string): StorageReader {
  return {
    read: (path) => readFile(join(root, path)).catch(absent),
    size: (path) => stat(join(root, path)).then((s) => (s.isFile() ? s.size : undefined), absent),
  };
}

function memoryReader(files: ReadonlyMap<string, Buffer>): StorageReader {
  return { read: (path) => Promise.resolve(files.get(path)), size: (path) => Promise.resolve(files.get(path)?.length) };
}

/** The manifest's own `mediaType`, else what its shape says (schema1, OCI index or manifest). */
function manifestMediaType(content: Buffer): string | undefined {
  try {
    const m = JSON.parse(content.toString('utf8')) as Record<string, unknown>;
    if (typeof m['mediaType'] === 'string') return m['mediaType'];
    if (m['schemaVersion'] === 1) return 'application/vnd.docker.distribution.manifest.v1+prettyjws';
    if (Array.isArray(m['manifests'])) return 'application/vnd.oci.image.index.v1+json';
    if (typeof m['config'] === 'object') return 'application/vnd.oci.image.manifest.v1+json';
  } catch {
    // served as stored: judging it is the puller's business
  }
  return undefined;
}

const registryError = (status: number, code: string, message: string, detail?: unknown): Reply => {
  const reply = errorReply(status, code, message, detail);
  return { ...reply, headers: { ...reply.headers, ...apiVersion } };
};

export class MockRegistryV2 {
  readonly #tokens = new RegistryTokens();
  readonly #startedOnDefaultVolume: boolean;
  #defaultVolume: StorageReader | undefined;

  constructor(
    private readonly state: MockState,
    private readonly credentials: MockCredentials,
    private readonly now: () => number,
    private readonly tls: boolean,
  ) {
    this.#startedOnDefaultVolume = state.storage.kind === 'default';
  }

  /** DTR's host name as its settings give it, which is what the challenge names. [inferred] */
  private get service(): string {
    return String(this.state.settings['dtrHost'] ?? '');
  }

  async answer(req: RegistryRequest): Promise<Reply> {
    if (!this.state.installed)
      return registryError(503, 'DTR_NOT_INSTALLED', 'DTR is not installed: it was destroyed and not restored yet');
    if (req.pathname === registryTokenPath) {
      return answerTokenRequest({ ...req, credentials: this.credentials, tokens: this.#tokens, now: this.now() });
    }
    const route = req.pathname === '/v2' || req.pathname === '/v2/' ? undefined : routePattern.exec(req.pathname);
    if (route === null) return registryError(404, 'NOT_FOUND', `no registry API path ${req.pathname}`);
    if (req.method !== 'GET' && req.method !== 'HEAD')
      return registryError(405, 'UNSUPPORTED', `${req.method} is not supported by this registry`);
    if (route === undefined) {
      const denied = this.authorize(req.headers, undefined);
      return denied ?? json(200, {}, { ...apiVersion });
    }
    const [, name = '', kind, reference = ''] = route;
    if (!namePattern.test(name)) return registryError(400, 'NAME_INVALID', 'invalid repository name', { name });
    const denied = this.authorize(req.headers, name);
    if (denied !== undefined) return denied;
    const repository = this.state.repositories.find((r) => `${r.namespace}/${r.name}` === name);
    if (repository === undefined)
      return registryError(404, 'NAME_UNKNOWN', 'repository name not known to registry', { name });
    return kind === 'manifests'
      ? this.manifest(req.method, name, repository, reference)
      : this.blob(req.method, name, reference);
  }

  /** Undefined when the request bears a live token for this service (with pull on `repository`); else the 401. */
  private authorize(headers: IncomingHttpHeaders, repository: string | undefined): Reply | undefined {
    const bearer = /^Bearer\s+(\S+)\s*$/i.exec(headers.authorization ?? '')?.[1];
    const token = bearer === undefined ? undefined : this.#tokens.find(bearer, this.now());
    let error: string | undefined;
    if (bearer !== undefined && (token === undefined || token.service !== this.service)) error = 'invalid_token';
    else if (token !== undefined && repository !== undefined && !token.repositories.has(repository))
      error = 'insufficient_scope';
    if (token !== undefined && error === undefined) return undefined;
    const scheme = this.tls ? 'https' : 'http';
    const challenge = [
      `Bearer realm="${scheme}://${this.service}${registryTokenPath}"`,
      `service="${this.service}"`,
      ...(repository === undefined ? [] : [`scope="repository:${repository}:pull"`]),
      ...(error === undefined ? [] : [`error="${error}"`]),
    ].join(',');
    const reply = registryError(
      401,
      'UNAUTHORIZED',
      'authentication required',
      repository === undefined ? undefined : [{ Type: 'repository', Name: repository, Action: 'pull' }],
    );
    return { ...reply, headers: { ...reply.headers, 'www-authenticate': challenge } };
  }

  private storage(): StorageReader {
    const storage = this.state.storage;
    const folder = storageFolderOf(this.state, storage);
    if (folder !== undefined) return folderReader(folder);
    if (storage.kind === 'default' && this.#startedOnDefaultVolume)
      return (this.#defaultVolume ??= memoryReader(planSampleRegistry().files));
    return memoryReader(new Map());
  }

  /** Whether one of `links` holds exactly `digest`. */
  private async linked(reader: StorageReader, links: readonly string[], digest: string): Promise<boolean> {
    for (const link of links) if ((await reader.read(link))?.toString('utf8').trim() === digest) return true;
    return false;
  }

  private async manifest(method: string, name: string, repository: MockRepository, reference: string): Promise<Reply> {
    let digest = reference;
    let taggedMediaType: string | undefined;
    if (!sha256Pattern.test(reference)) {
      if (anyDigestPattern.test(reference))
        return registryError(400, 'DIGEST_INVALID', 'only sha256 digests are supported', { digest: reference });
      if (!tagPattern.test(reference))
        return registryError(400, 'TAG_INVALID', 'manifest tag did not match URI', { tag: reference });
      const tag = repository.tags.find((t) => t.name === reference);
      if (tag === undefined || !sha256Pattern.test(tag.digest))
        return registryError(404, 'MANIFEST_UNKNOWN', 'manifest unknown', { tag: reference });
      digest = tag.digest;
      taggedMediaType = tag.mediaType;
    }
    const reader = this.storage();
    const linked = await this.linked(reader, [revisionLinkPath(name, digest), layerLinkPath(name, digest)], digest);
    const content = linked ? await reader.read(blobDataPath(digest)) : undefined;
    if (content === undefined) return registryError(404, 'MANIFEST_UNKNOWN', 'manifest unknown', { digest });
    const headers = {
      ...apiVersion,
      'content-type': manifestMediaType(content) ?? taggedMediaType ?? 'application/octet-stream',
      'docker-content-digest': digest,
      etag: `"${digest}"`,
    };
    return method === 'HEAD'
      ? { status: 200, headers: { ...headers, 'content-length': String(content.length) } }
      : { status: 200, headers, body: content };
  }

  private async blob(method: string, name: string, digest: string): Promise<Reply> {
    if (!sha256Pattern.test(digest))
      return registryError(400, 'DIGEST_INVALID', 'provided digest did not match uploaded content', { digest });
    const reader = this.storage();
    const unknown = registryError(404, 'BLOB_UNKNOWN', 'blob unknown to registry', { digest });
    if (!(await this.linked(reader, [layerLinkPath(name, digest)], digest))) return unknown;
    const headers = {
      ...apiVersion,
      'content-type': 'application/octet-stream',
      'docker-content-digest': digest,
      etag: `"${digest}"`,
    };
    if (method === 'HEAD') {
      const size = await reader.size(blobDataPath(digest));
      return size === undefined ? unknown : { status: 200, headers: { ...headers, 'content-length': String(size) } };
    }
    const content = await reader.read(blobDataPath(digest));
    return content === undefined ? unknown : { status: 200, headers, body: content };
  }
}
