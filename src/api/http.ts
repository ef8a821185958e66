/**
 * The only module that talks HTTP. It owns the undici Agent (timeouts, CA, TLS verification), retries
 * idempotent requests on transient failures with backoff inside a bounded total time, and turns
 * transport failures into MigrateErrors that name the flag to fix them. It knows nothing of DTR's
 * endpoints: client.ts does.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Agent, request } from 'undici';
import { MigrateError } from '../errors.js';

export interface HttpOptions {
  readonly baseUrl: string;
  readonly username: string;
  /** Password or access token. Kept in the Authorization header only, never logged. */
  readonly secret: string;
  /** PEM file of a CA to trust (self-signed DTR). */
  readonly caCertFile?: string;
  readonly insecureTls?: boolean;
  /** Per-request timeout. @default 15000 */
  readonly timeoutMs?: number;
  /** Total time spent retrying one idempotent request. @default 30000 */
  readonly retryBudgetMs?: number;
}

export interface HttpResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly text: string;
  /** With `hashBody`: the body's sha256 (hex) and length, read as a stream and not kept. */
  readonly sha256?: string;
  readonly bytes?: number;
}

export interface SendOptions {
  readonly headers?: Record<string, string>;
  /** Hash the body instead of keeping it (blobs can be large). */
  readonly hashBody?: boolean;
  /** A POST that may be sent twice without harm (it creates or replaces by key), so it is retried like a read. */
  readonly repeatable?: boolean;
}

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE' | 'HEAD';

const defaultRetryBudgetMs = 30_000;
const retryableStatus = new Set([408, 429, 500, 502, 503, 504]);
const tlsErrorCodes = /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS|SSL|EPROTO/;

export function causeCode(error: unknown): string {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && current !== undefined && current !== null; depth += 1) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && code !== 'UND_ERR_SOCKET') return code;
    current = (current as { cause?: unknown }).cause;
  }
  return (error as { code?: string }).code ?? 'UNKNOWN';
}

export class Http {
  private readonly agent: Agent;
  private readonly authorization: string;
  private readonly base: URL;
  private retryBudgetMs: number;

  constructor(private readonly options: HttpOptions) {
    this.retryBudgetMs = options.retryBudgetMs ?? defaultRetryBudgetMs;
    try {
      this.base = new URL(options.baseUrl);
    } catch {
      throw new MigrateError('USAGE', `"${options.baseUrl}" is not a URL`, {
        hint: 'Pass --dtr-url https://dtr.example.com',
      });
    }
    if (this.base.protocol !== 'https:' && this.base.protocol !== 'http:') {
      throw new MigrateError('USAGE', `--dtr-url must be an http(s) URL, not ${this.base.protocol}`, {
        hint: 'Pass --dtr-url https://dtr.example.com',
      });
    }
    let ca: string | undefined;
    if (options.caCertFile !== undefined) {
      try {
        ca = readFileSync(options.caCertFile, 'utf8');
      } catch {
        throw new MigrateError('USAGE', `the CA certificate ${options.caCertFile} cannot be read`, {
          hint: 'Check the path given to --ca-cert.',
        });
      }
    }
    const timeout = options.timeoutMs ?? 15_000;
    this.agent = new Agent({
      connect: { timeout, rejectUnauthorized: options.insecureTls !== true, ...(ca === undefined ? {} : { ca }) },
      headersTimeout: timeout,
      bodyTimeout: timeout,
    });
    this.authorization = `Basic ${Buffer.from(`${options.username}:${options.secret}`).toString('base64')}`;
  }

  get origin(): string {
    return this.base.origin;
  }

  async close(): Promise<void> {
    await this.agent.close();
  }

  /**
   * Changes the retry budget of later requests (undefined: back to the configured one). While DTR is
   * down on purpose (destroyed, not yet restored), 30 s of retries per call would only delay the answer.
   */
  setRetryBudget(ms: number | undefined): void {
    this.retryBudgetMs = ms ?? this.options.retryBudgetMs ?? defaultRetryBudgetMs;
  }

  /** Sends one request; GET, PUT, DELETE and HEAD are retried on transient failures, POST only when repeatable. */
  async send(method: HttpMethod, path: string, body?: unknown, options: SendOptions = {}): Promise<HttpResponse> {
    const idempotent = method !== 'POST' || options.repeatable === true;
    const deadline = Date.now() + this.retryBudgetMs;
    for (let attempt = 0; ; attempt += 1) {
      try {
        const response = await this.once(method, path, body, options);
        if (!idempotent || !retryableStatus.has(response.status) || Date.now() >= deadline) return response;
      } catch (error) {
        const mapped = this.explain(error, path);
        // A connection reset or closed mid-answer is worth another try for a read.
        const transient =
          mapped.code === 'API_TIMEOUT' || ['ECONNRESET', 'UND_ERR_SOCKET', 'EPIPE'].includes(causeCode(error));
        if (!idempotent || !transient || Date.now() >= deadline) throw mapped;
      }
      await new Promise((resolve) => setTimeout(resolve, Math.min(250 * 2 ** attempt, 4_000)));
    }
  }

  private async once(method: HttpMethod, path: string, body: unknown, options: SendOptions): Promise<HttpResponse> {
    let url = new URL(path, this.base);
    for (let redirects = 0; ; redirects += 1) {
      // Credentials go to DTR only, never to a host it redirects a blob download to.
      const sameOrigin = url.origin === this.base.origin;
      const response = await request(url, {
        method,
        dispatcher: this.agent,
        headers: {
          accept: 'application/json',
          ...(sameOrigin ? { authorization: this.authorization } : {}),
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          ...(sameOrigin ? options.headers : {}),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      const location = response.headers['location'];
      if (
        [301, 302, 303, 307, 308].includes(response.statusCode) &&
        typeof location === 'string' &&
        redirects < 3 &&
        method !== 'POST'
      ) {
        await response.body.dump();
        url = new URL(location, url);
        continue;
      }
      if (method === 'HEAD') {
        await response.body.dump();
        return { status: response.statusCode, headers: response.headers, text: '' };
      }
      if (options.hashBody === true && response.statusCode === 200) {
        const hash = createHash('sha256');
        let bytes = 0;
        for await (const chunk of response.body) {
          hash.update(chunk as Buffer);
          bytes += (chunk as Buffer).length;
        }
        return { status: response.statusCode, headers: response.headers, text: '', sha256: hash.digest('hex'), bytes };
      }
      return { status: response.statusCode, headers: response.headers, text: await response.body.text() };
    }
  }

  private explain(error: unknown, path: string): MigrateError {
    const code = causeCode(error);
    const where = this.base.origin;
    // A TLS client hello answered by a plain-HTTP server reads as a record of a wrong TLS version.
    if (code === 'ERR_SSL_WRONG_VERSION_NUMBER' || code === 'ERR_SSL_HTTP_REQUEST') {
      return new MigrateError(
        'API_TLS',
        `${where} answers in plain HTTP, not HTTPS: the scheme of the URL is wrong (${code})`,
        { hint: `Use http://${this.base.host} (or the HTTPS port of DTR) in the URL.` },
      );
    }
    if (tlsErrorCodes.test(code)) {
      return new MigrateError('API_TLS', `the TLS certificate of ${where} is not trusted (${code})`, {
        hint: 'Pass --ca-cert <file> with the CA that signed it, or --insecure-tls to skip verification (not recommended).',
      });
    }
    if (code === 'UND_ERR_CONNECT_TIMEOUT' || code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT') {
      return new MigrateError('API_TIMEOUT', `DTR at ${where} did not answer ${path} in time`, {
        hint: 'Check that --dtr-url points at DTR and that DTR is up, then run the same command again.',
      });
    }
    const reasons: Record<string, string> = {
      ECONNREFUSED: 'the connection was refused',
      ENOTFOUND: 'the host name does not resolve',
      EAI_AGAIN: 'the host name does not resolve',
      ECONNRESET: 'the connection was reset',
      UND_ERR_SOCKET: 'the connection was closed before an answer',
      EHOSTUNREACH: 'the host is unreachable',
      ENETUNREACH: 'the network is unreachable',
    };
    return new MigrateError('API_UNREACHABLE', `cannot reach DTR at ${where}: ${reasons[code] ?? code}`, {
      hint: 'Check --dtr-url (scheme, host and port) and that this machine can reach DTR.',
      cause: error,
    });
  }
}
