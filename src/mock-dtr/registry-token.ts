/**
 * The mock DTR's token service for its registry API, as a docker client meets it after the 401
 * challenge of `/v2/` (Docker token authentication specification):
 *
 *   GET /auth/token?service=<dtr host>&scope=repository:<name>:pull   (HTTP basic credentials)
 *   → 200 {"token": "...", "access_token": "...", "expires_in": 300, "issued_at": "<ISO time>"}
 *
 * What the documentation leaves open, chosen here:
 * - the path `/auth/token` [inferred: DTR's challenge names it, shared/reference/dtr-api.md section 7;
 *   clients must take it from the challenge's `realm`, never assume it];
 * - the credentials are those of DTR's API (auth.ts): the admin, the UCP admin or the non-admin user,
 *   with a password or an access token; anything else answers 401 `NOT_AUTHENTICATED` [inferred];
 * - the token is an opaque random string the mock remembers, not a signed JWT [mock choice: clients
 *   must treat it as opaque anyway]; it lives `expires_in` = 300 s on the mock's clock [inferred: the
 *   docker/distribution default]; the registry refuses it afterwards (401 `invalid_token`);
 * - every account gets `pull` on every repository it asks for, and nothing else (no push, no catalog):
 *   the mock has no teams or repository permissions [mock choice]; an unknown repository is the
 *   registry's business (404 `NAME_UNKNOWN`);
 * - `service` is optional, but a token asked for another service is refused by the registry, as a
 *   JWT with another audience would be; a malformed `scope` answers 400 `INVALID_PARAMETERS` [inferred].
 */
import { randomBytes } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { apiRole } from './auth.js';
import { errorReply, json, type Reply } from './http-util.js';
import type { MockCredentials } from './types.js';

export const registryTokenPath = '/auth/token';
export const tokenLifetimeSeconds = 300;

export interface RegistryToken {
  /** The `service` the token was asked for ('' when none was given). */
  readonly service: string;
  /** Repositories (`namespace/name`) the token may pull. */
  readonly repositories: ReadonlySet<string>;
  /** ms since the epoch, on the mock's clock. */
  readonly expiresAt: number;
}

export type ScopeParse =
  { readonly ok: true; readonly repositories: string[] } | { readonly ok: false; readonly reason: string };

/**
 * `repository:<name>:<action>[,<action>...]` scopes (one per `scope` parameter, or several separated
 * by spaces) → the repositories with `pull` among their actions. Other resource types grant nothing.
 */
export function pullScopes(values: readonly string[]): ScopeParse {
  const repositories = new Set<string>();
  for (const scope of values.flatMap((value) => value.split(/\s+/)).filter((s) => s !== '')) {
    const first = scope.indexOf(':');
    const last = scope.lastIndexOf(':');
    if (first <= 0 || last === first || last === scope.length - 1)
      return { ok: false, reason: `malformed scope ${JSON.stringify(scope)}` };
    const name = scope.slice(first + 1, last);
    if (
      scope.slice(0, first) === 'repository' &&
      scope
        .slice(last + 1)
        .split(',')
        .includes('pull')
    )
      repositories.add(name);
  }
  return { ok: true, repositories: [...repositories] };
}

/** The tokens the mock issued and still accepts. */
export class RegistryTokens {
  readonly #tokens = new Map<string, RegistryToken>();

  issue(service: string, repositories: readonly string[], now: number): string {
    for (const [token, issued] of this.#tokens) if (issued.expiresAt <= now) this.#tokens.delete(token);
    const token = randomBytes(24).toString('base64url');
    this.#tokens.set(token, {
      service,
      repositories: new Set(repositories),
      expiresAt: now + tokenLifetimeSeconds * 1000,
    });
    return token;
  }

  /** The token's grant, or undefined when the mock never issued it or it expired. */
  find(token: string, now: number): RegistryToken | undefined {
    const issued = this.#tokens.get(token);
    if (issued === undefined || issued.expiresAt > now) return issued;
    this.#tokens.delete(token);
    return undefined;
  }
}

export interface TokenRequest {
  readonly method: string;
  readonly query: URLSearchParams;
  readonly headers: IncomingHttpHeaders;
  readonly credentials: MockCredentials;
  readonly tokens: RegistryTokens;
  readonly now: number;
}

export function answerTokenRequest(req: TokenRequest): Reply {
  if (req.method !== 'GET')
    return errorReply(405, 'METHOD_NOT_ALLOWED', `${req.method} is not allowed on ${registryTokenPath}`);
  if (apiRole(req.headers, req.credentials) === undefined) {
    return errorReply(401, 'NOT_AUTHENTICATED', 'authentication required: a valid username and password or token');
  }
  const scopes = pullScopes(req.query.getAll('scope'));
  if (!scopes.ok) return errorReply(400, 'INVALID_PARAMETERS', scopes.reason);
  const token = req.tokens.issue(req.query.get('service') ?? '', scopes.repositories, req.now);
  return json(200, {
    token,
    access_token: token,
    expires_in: tokenLifetimeSeconds,
    issued_at: new Date(req.now).toISOString(),
  });
}
