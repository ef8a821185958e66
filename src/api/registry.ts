/**
 * The Docker Registry HTTP API v2 on DTR (`/v2/`), as a puller sees it: the bearer-token exchange
 * after a 401 challenge, then manifests and blobs by digest. Used to prove that what the inventory
 * names can really be pulled after the migration. The token endpoint is whatever DTR's challenge
 * names (`realm`), so nothing about its path is assumed here.
 */
import { z } from 'zod';
import { MigrateError } from '../errors.js';
import { Http, type HttpOptions, type HttpResponse } from './http.js';

export const manifestAccept = [
  'application/vnd.docker.distribution.manifest.v2+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.v1+prettyjws',
].join(', ');

const tokenSchema = z.union([
  z.object({ token: z.string() }).passthrough(),
  z.object({ access_token: z.string() }).passthrough(),
]);

/** `Bearer realm="https://dtr/auth/token",service="dtr"` → its parameters. */
export function parseChallenge(header: string | undefined): Record<string, string> | undefined {
  if (header === undefined || !/^Bearer\s/i.test(header)) return undefined;
  const params: Record<string, string> = {};
  for (const match of header.slice(7).matchAll(/(\w+)="([^"]*)"/g)) params[match[1] ?? ''] = match[2] ?? '';
  return params['realm'] === undefined ? undefined : params;
}

export class RegistryClient {
  private readonly http: Http;
  private readonly tokens = new Map<string, Promise<string | undefined>>();
  private challenge: Promise<Record<string, string> | undefined> | undefined;

  constructor(options: HttpOptions) {
    this.http = new Http(options);
  }

  close(): Promise<void> {
    return this.http.close();
  }

  headManifest(repository: string, digest: string): Promise<HttpResponse> {
    return this.send('HEAD', repository, `/v2/${repository}/manifests/${digest}`, { accept: manifestAccept });
  }

  getManifest(repository: string, digest: string): Promise<HttpResponse> {
    return this.send('GET', repository, `/v2/${repository}/manifests/${digest}`, { accept: manifestAccept });
  }

  headBlob(repository: string, digest: string): Promise<HttpResponse> {
    return this.send('HEAD', repository, `/v2/${repository}/blobs/${digest}`, {});
  }

  /** Downloads a blob and hashes it as it streams. */
  fetchBlob(repository: string, digest: string): Promise<HttpResponse> {
    return this.send('GET', repository, `/v2/${repository}/blobs/${digest}`, {}, true);
  }

  private async send(
    method: 'GET' | 'HEAD',
    repository: string,
    path: string,
    headers: Record<string, string>,
    hashBody = false,
  ): Promise<HttpResponse> {
    for (let attempt = 0; ; attempt += 1) {
      const pending = this.tokenFor(repository);
      const token = await pending;
      const response = await this.http.send(method, path, undefined, {
        headers: { ...headers, ...(token === undefined ? {} : { authorization: `Bearer ${token}` }) },
        hashBody,
      });
      // Tokens expire (5 minutes on docker/distribution), and a full check of a big registry takes longer:
      // a 401 to a token gets one new token and one retry.
      if (response.status !== 401 || token === undefined || attempt > 0) return response;
      if (this.tokens.get(repository) === pending) this.tokens.delete(repository);
    }
  }

  /** A pull token for one repository, fetched once, with the challenge DTR gives on `/v2/`. */
  private tokenFor(repository: string): Promise<string | undefined> {
    let token = this.tokens.get(repository);
    if (token === undefined) {
      token = this.fetchToken(repository);
      this.tokens.set(repository, token);
    }
    return token;
  }

  /** What `/v2/` says: 200 (no token needed), 401 with a Bearer challenge, or 401 Basic (the credentials as they are). */
  private async probe(): Promise<Record<string, string> | undefined> {
    const response = await this.http.send('GET', '/v2/');
    if (response.status === 200) return undefined;
    if (response.status === 401) return parseChallenge(firstHeader(response.headers['www-authenticate']));
    // Anything else would turn into one misleading "not pullable" per tag.
    throw new MigrateError('API_ERROR', `DTR's registry API answered GET /v2/ with HTTP ${response.status}`, {
      hint:
        response.status === 404
          ? 'Check that --dtr-url points at DTR itself.'
          : 'Check that DTR is up and healthy, then run the same command again.',
    });
  }

  private async fetchToken(repository: string): Promise<string | undefined> {
    this.challenge ??= this.probe();
    const challenge = await this.challenge;
    if (challenge === undefined) return undefined;
    let realm: URL;
    try {
      realm = new URL(challenge['realm'] ?? '');
    } catch {
      throw new MigrateError(
        'API_CONTRACT',
        `DTR's registry challenge names a token service that is not a URL: ${challenge['realm'] ?? ''}`,
        { hint: 'Run with --debug and report it.' },
      );
    }
    realm.searchParams.set('scope', `repository:${repository}:pull`);
    if (challenge['service'] !== undefined) realm.searchParams.set('service', challenge['service']);
    const response = await this.http.send('GET', realm.toString());
    if (response.status === 401)
      throw new MigrateError('API_AUTH', 'DTR refused a pull token for these credentials', {
        hint: 'Check --username and DTR_TOKEN.',
      });
    const parsed = tokenSchema.safeParse(safeJson(response.text));
    if (response.status !== 200 || !parsed.success) {
      throw new MigrateError('API_CONTRACT', `DTR's token endpoint answered HTTP ${response.status} without a token`, {
        hint: 'Run with --debug and report it.',
      });
    }
    const data = parsed.data as { token?: string; access_token?: string };
    return data.token ?? data.access_token;
  }
}

function firstHeader(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
