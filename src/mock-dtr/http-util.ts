/**
 * Small HTTP helpers of the mock DTR: answers are JSON, errors use DTR's envelope (built with the shared
 * zod schema), and every handler returns a `Reply` instead of writing to the response itself, so the
 * server alone decides how (and whether, under an injected fault) it is sent.
 */
import type { IncomingMessage } from 'node:http';
import { errorEnvelopeSchema } from '../api/schemas.js';
import { nextPageHeader } from '../dtr/facts.js';

export interface Reply {
  readonly status: number;
  /** Serialized as JSON; a Buffer or string is sent as is. Absent: no body. */
  readonly body?: unknown;
  readonly headers?: Readonly<Record<string, string>>;
}

export function json(status: number, body: unknown, headers?: Record<string, string>): Reply {
  return headers === undefined ? { status, body } : { status, body, headers };
}

export function errorReply(status: number, code: string, message: string, detail?: unknown): Reply {
  const envelope = errorEnvelopeSchema.parse({
    errors: [detail === undefined ? { code, message } : { code, message, detail }],
  });
  const headers: Record<string, string> = status === 401 ? { 'www-authenticate': 'Basic realm="dtr"' } : {};
  return { status, body: envelope, headers };
}

/** The error code a status gets when a fault gives no body. [mock choice] */
export function defaultErrorCode(status: number): string {
  const codes: Record<number, string> = {
    400: 'INVALID_PARAMETERS',
    401: 'NOT_AUTHENTICATED',
    403: 'NOT_AUTHORIZED',
    404: 'NOT_FOUND',
    408: 'TIMEOUT',
    409: 'CONFLICT',
    429: 'TOO_MANY_REQUESTS',
    503: 'UNAVAILABLE',
  };
  return codes[status] ?? (status >= 500 ? 'INTERNAL_ERROR' : 'ERROR');
}

/** Request bodies are small JSON documents, or a base64 backup; anything bigger is refused. */
const maxBodyBytes = 256 * 1024 * 1024;

export async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buf = chunk as Buffer;
    size += buf.length;
    if (size > maxBodyBytes) throw new Error('request body too large');
    chunks.push(buf);
  }
  return Buffer.concat(chunks);
}

export type JsonParse = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly reply: Reply };

export function parseJsonBody(body: Buffer): JsonParse {
  try {
    return { ok: true, value: JSON.parse(body.toString('utf8')) as unknown };
  } catch (error) {
    return {
      ok: false,
      reply: errorReply(400, 'INVALID_JSON', `the request body is not valid JSON: ${(error as Error).message}`),
    };
  }
}

export type IntParse = { readonly ok: true; readonly value: number } | { readonly ok: false; readonly reply: Reply };

/** A non-negative integer query parameter, with a default and an upper bound. */
export function intParam(params: URLSearchParams, name: string, fallback: number, min: number, max: number): IntParse {
  const raw = params.get(name);
  if (raw === null || raw === '') return { ok: true, value: fallback };
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    return {
      ok: false,
      reply: errorReply(400, 'INVALID_PARAMETERS', `${name} must be an integer from ${min} to ${max}`),
    };
  }
  return { ok: true, value };
}

/**
 * One page of a list paged by an opaque cursor (DTR's pageStart): the cursor is the key of the page's
 * first item, and `X-Next-Page-Start` names the next page's first item while more remain. [inferred]
 */
export function cursorPage<T>(
  items: readonly T[],
  keyOf: (item: T) => string,
  params: URLSearchParams,
  defaultPageSize: number,
):
  | { readonly ok: true; readonly page: T[]; readonly headers: Record<string, string> }
  | { readonly ok: false; readonly reply: Reply } {
  const size = intParam(params, 'pageSize', defaultPageSize, 1, 1000);
  if (!size.ok) return size;
  const start = params.get('pageStart') ?? '';
  const from = start === '' ? 0 : items.findIndex((item) => keyOf(item) === start);
  if (from === -1)
    return {
      ok: false,
      reply: errorReply(400, 'INVALID_PARAMETERS', `pageStart ${JSON.stringify(start)} names no item`),
    };
  const page = items.slice(from, from + size.value);
  const next = items[from + size.value];
  return { ok: true, page, headers: next === undefined ? {} : { [nextPageHeader]: keyOf(next) } };
}
