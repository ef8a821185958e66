/**
 * How the docker stand-in reaches the mock DTR: one JSON request at a time to its `/_mock/` endpoints,
 * at $DTR_MOCK_URL, trusting $DTR_MOCK_CA when the mock serves HTTPS. Uses node:http(s) directly because
 * the global fetch cannot take a CA without undici's Agent, which only src/api/http.ts may import.
 * Answers are checked by hand, not with zod, so that the stand-in starts fast (types still come from
 * the shared schemas).
 */
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { ErrorEnvelope } from '../api/schemas.js';
import { standInEnv } from './stand-in-endpoints.js';

export interface MockEndpoint {
  readonly url: URL;
  readonly ca?: string;
}

export type MockAnswer =
  | { readonly kind: 'ok'; readonly status: number; readonly body: unknown }
  | { readonly kind: 'error'; readonly status: number; readonly code: string; readonly message: string }
  | { readonly kind: 'unreachable'; readonly detail: string };

/** Where the mock is, or a message saying why the stand-in cannot know. */
export function mockEndpoint(env: Readonly<Record<string, string | undefined>>): MockEndpoint | string {
  const raw = env[standInEnv.url];
  if (raw === undefined || raw === '') return `$${standInEnv.url} is not set`;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return `$${standInEnv.url} is not a URL`;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return `$${standInEnv.url} is not an http(s) URL`;
  const ca = env[standInEnv.ca];
  return ca === undefined || ca === '' ? { url } : { url, ca };
}

/** Long enough for an injected delay, short enough that a wedged mock does not hang CI forever. */
const timeoutMs = 120_000;

export function callMock(
  endpoint: MockEndpoint,
  method: string,
  path: string,
  options: { readonly body?: unknown; readonly auth?: { readonly username: string; readonly password: string } } = {},
): Promise<MockAnswer> {
  const payload = options.body === undefined ? undefined : Buffer.from(JSON.stringify(options.body));
  const headers: Record<string, string> = { accept: 'application/json' };
  if (payload !== undefined) {
    headers['content-type'] = 'application/json';
    headers['content-length'] = String(payload.length);
  }
  if (options.auth !== undefined) {
    headers.authorization = `Basic ${Buffer.from(`${options.auth.username}:${options.auth.password}`).toString('base64')}`;
  }
  const target = new URL(path, endpoint.url);
  const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve) => {
    const req = send(
      target,
      { method, headers, timeout: timeoutMs, ...(endpoint.ca === undefined ? {} : { ca: endpoint.ca }) },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', (error) => resolve({ kind: 'unreachable', detail: error.message }));
        res.on('end', () => resolve(interpret(res.statusCode ?? 0, Buffer.concat(chunks))));
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs / 1000} s`)));
    req.on('error', (error: NodeJS.ErrnoException) =>
      resolve({ kind: 'unreachable', detail: error.code ?? error.message }),
    );
    req.end(payload);
  });
}

function interpret(status: number, raw: Buffer): MockAnswer {
  let body: unknown;
  try {
    body = raw.length === 0 ? undefined : JSON.parse(raw.toString('utf8'));
  } catch {
    return {
      kind: 'error',
      status,
      code: 'BAD_ANSWER',
      message: `the mock DTR answered ${status} with a body that is not JSON`,
    };
  }
  if (status >= 200 && status < 300) return { kind: 'ok', status, body };
  const first = (body as Partial<ErrorEnvelope> | undefined)?.errors?.[0];
  return typeof first?.code !== 'string' || typeof first.message !== 'string'
    ? { kind: 'error', status, code: 'BAD_ANSWER', message: `the mock DTR answered ${status}` }
    : { kind: 'error', status, code: first.code, message: first.message };
}
