/**
 * HTTP basic authentication of the mock DTR. DTR takes a username with a password or an access token
 * [doc]; the mock knows three accounts: the DTR admin (token), a non-admin user (token), and the UCP
 * admin (password), who is a DTR admin too, as UCP admins are. Comparisons are constant-time so the
 * mock does not teach clients to rely on anything a real server would not give away.
 */
import { timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { MockCredentials } from './types.js';

export type Role = 'admin' | 'user';

export interface BasicCredentials {
  readonly username: string;
  readonly password: string;
}

export function parseBasicAuth(headers: IncomingHttpHeaders): BasicCredentials | undefined {
  const header = headers.authorization;
  if (header === undefined) return undefined;
  const match = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header);
  if (match?.[1] === undefined) return undefined;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon === -1) return undefined;
  return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

export function secretEquals(a: string, b: string): boolean {
  const left = Buffer.from(a, 'utf8');
  const right = Buffer.from(b, 'utf8');
  return left.length === right.length && timingSafeEqual(left, right);
}

/** The role of the credentials on DTR's API, or undefined when they are missing or wrong. */
export function apiRole(headers: IncomingHttpHeaders, accounts: MockCredentials): Role | undefined {
  const given = parseBasicAuth(headers);
  if (given === undefined) return undefined;
  if (given.username === accounts.admin.username && secretEquals(given.password, accounts.admin.token)) return 'admin';
  if (given.username === accounts.ucp.username && secretEquals(given.password, accounts.ucp.password)) return 'admin';
  if (given.username === accounts.user.username && secretEquals(given.password, accounts.user.token)) return 'user';
  return undefined;
}

/** What UCP checks when the bootstrapper logs in: the UCP admin's username and password. */
export function isUcpAdmin(headers: IncomingHttpHeaders, accounts: MockCredentials): boolean {
  const given = parseBasicAuth(headers);
  return (
    given !== undefined &&
    given.username === accounts.ucp.username &&
    secretEquals(given.password, accounts.ucp.password)
  );
}
