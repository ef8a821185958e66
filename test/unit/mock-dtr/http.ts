/** A tiny HTTP client for the mock DTR tests (undici, so a CA can be trusted for the HTTPS tests). */
import { Agent, fetch } from 'undici';
import type { MockDtr } from '../../../src/mock-dtr/index.js';

export type As = 'admin' | 'user' | 'ucp' | 'none' | { readonly username: string; readonly password: string };

export interface CallOptions {
  readonly method?: string;
  readonly body?: unknown;
  /** Sent as is (for malformed JSON). */
  readonly rawBody?: string;
  readonly as?: As;
}

export interface Answer {
  readonly status: number;
  readonly headers: { get(name: string): string | null };
  readonly text: string;
  json<T = unknown>(): T;
}

const agents = new WeakMap<MockDtr, Agent>();

function credentials(mock: MockDtr, as: As): { username: string; password: string } | undefined {
  if (as === 'none') return undefined;
  if (as === 'admin') return { username: mock.credentials.admin.username, password: mock.credentials.admin.token };
  if (as === 'user') return { username: mock.credentials.user.username, password: mock.credentials.user.token };
  if (as === 'ucp') return { username: mock.credentials.ucp.username, password: mock.credentials.ucp.password };
  return as;
}

export async function call(mock: MockDtr, path: string, options: CallOptions = {}): Promise<Answer> {
  const headers: Record<string, string> = { accept: 'application/json' };
  const who = credentials(mock, options.as ?? 'admin');
  if (who !== undefined)
    headers.authorization = `Basic ${Buffer.from(`${who.username}:${who.password}`).toString('base64')}`;
  let body: string | undefined = options.rawBody;
  if (options.body !== undefined) body = JSON.stringify(options.body);
  if (body !== undefined) headers['content-type'] = 'application/json';
  let dispatcher = agents.get(mock);
  if (dispatcher === undefined) {
    dispatcher = new Agent(mock.caCertPem === undefined ? {} : { connect: { ca: mock.caCertPem } });
    agents.set(mock, dispatcher);
  }
  const res = await fetch(`${mock.url}${path}`, { method: options.method ?? 'GET', headers, body, dispatcher });
  const text = await res.text();
  return { status: res.status, headers: res.headers, text, json: <T>() => JSON.parse(text) as T };
}

export async function closeAgent(mock: MockDtr): Promise<void> {
  await agents.get(mock)?.close();
  agents.delete(mock);
}
