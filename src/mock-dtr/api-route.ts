/**
 * What a route of the mock's DTR API is (api-routes.ts lists them): a method, a path pattern, who may
 * call it, and a pure handler of the request and the state. Authentication, the "destroyed" answer and
 * faults are the server's business.
 */
import type { z } from 'zod';
import { errorReply, parseJsonBody, type Reply } from './http-util.js';
import type { MockState } from './state.js';

export interface ApiContext {
  readonly state: MockState;
  readonly now: number;
  readonly query: URLSearchParams;
  readonly body: Buffer;
  /** Decoded captures of the route's pattern. */
  readonly params: readonly string[];
  readonly jobDurationMs: number;
  readonly pageSize: number;
}

/**
 * Who may call a route: `admin` (settings, cluster status, crons, jobs, workers [spec: "Client must be
 * authenticated an admin"; inferred where the spec is silent]), `user` (any active user: repositories
 * and tags), `anyone` (the API specification, which DTR serves without login [public clients]).
 */
export type RouteAccess = 'admin' | 'user' | 'anyone';

export interface ApiRoute {
  readonly method: string;
  readonly pattern: RegExp;
  readonly access: RouteAccess;
  readonly handle: (ctx: ApiContext) => Reply;
}

/** The request body as `schema` reads it, or the 400 DTR gives (INVALID_JSON, INVALID_PARAMETERS). */
export function parseBody<S extends z.ZodType>(
  ctx: ApiContext,
  schema: S,
): { ok: true; value: z.infer<S> } | { ok: false; reply: Reply } {
  const parsed = parseJsonBody(ctx.body);
  if (!parsed.ok) return parsed;
  const result = schema.safeParse(parsed.value);
  if (!result.success) {
    const detail = result.error.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message }));
    return {
      ok: false,
      reply: errorReply(400, 'INVALID_PARAMETERS', 'the request body does not have the expected shape', detail),
    };
  }
  return { ok: true, value: result.data };
}

/** A filter query parameter: absent, empty or the literal `any` (DTR's default) means no filter [spec]. */
export function filterParam(query: URLSearchParams, name: string): string | undefined {
  const value = query.get(name);
  return value === null || value === '' || value === 'any' ? undefined : value;
}
