/**
 * The mock DTR: a real HTTP(S) server on 127.0.0.1 that answers DTR's API from a live, inspectable state,
 * used by the tests, by `dtr-migrate rehearse` and by `dtr-migrate mock-dtr`.
 *
 * Paths:
 * - `/api/v0/...`: DTR's API (api-routes.ts), HTTP basic auth (auth.ts). While DTR is destroyed every
 *   `/api/` path answers 503 `DTR_NOT_INSTALLED` before any auth check [mock choice: a destroyed DTR has
 *   no API; a real one would not answer at all, or UCP's router would].
 * - `/_mock/...`: not DTR; used by the docker stand-in only (control-routes.ts, stand-in-protocol.ts):
 *   - `POST /_mock/bootstrapper/{backup|destroy|restore|reconfigure}`: JSON request, Basic auth with the
 *     UCP admin's username and password (401 otherwise, as UCP would); 200 `{log, archive?}` or an error
 *     envelope (409 when the bootstrapper refuses, e.g. version mismatch or "destroy it first");
 *   - `GET /_mock/containers` (all), `GET /_mock/containers/{name}`, `GET /_mock/volumes/{name}`:
 *     docker's inspect objects, or 404 `NO_SUCH_OBJECT`; no credentials (the docker socket has none).
 * - `/v2/...` and `/auth/token`: the registry API v2 and its token service (registry-v2.ts, registry-token.ts).
 * - anything else: 404 `NOT_FOUND` in DTR's error envelope; a known path with another method: 405.
 *
 * Every request, whatever its path, is recorded in `requests` and may be hit by an injected fault.
 * The server prints nothing.
 */
import { randomBytes } from 'node:crypto';
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { replicaIdSchema } from '../api/schemas.js';
import { matchApiRoute } from './api-routes.js';
import { apiRole } from './auth.js';
import { handleControl } from './control-routes.js';
import { FaultQueue } from './faults.js';
import { errorReply, readBody, type Reply } from './http-util.js';
import { resolveInitialData } from './initial-data.js';
import { createRunningGcJob } from './jobs.js';
import { isRegistryPath, MockRegistryV2 } from './registry-v2.js';
import { createState, type MockState } from './state.js';
import { standInEnv } from './stand-in-endpoints.js';
import { isMsr } from './versions.js';
import type { MockCredentials, MockDtr, MockDtrOptions, RecordedRequest } from './types.js';

const randomSecret = (): string => randomBytes(16).toString('hex');
const dockerBin = fileURLToPath(new URL('../../bin/dtr-mock-docker.js', import.meta.url));
const defaultGcSchedule = '0 0 1 * * 6';

interface Runtime {
  readonly state: MockState;
  readonly credentials: MockCredentials;
  readonly faults: FaultQueue;
  readonly requests: RecordedRequest[];
  readonly now: () => number;
  readonly jobDurationMs: number;
  readonly pageSize: number;
  readonly closing: AbortController;
  readonly registry: MockRegistryV2;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((done) => {
    if (signal.aborted) return done();
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', () => (clearTimeout(timer), done()), { once: true });
  });
}

/** Writes the reply; with `cut`, only the headers and half the body, then drops the connection. */
function send(res: ServerResponse, reply: Reply, cut = false): void {
  if (res.destroyed) return;
  const headers: Record<string, string> = { ...reply.headers };
  let payload: Buffer | undefined;
  if (reply.body !== undefined && reply.status !== 204) {
    if (Buffer.isBuffer(reply.body)) {
      payload = reply.body;
      headers['content-type'] ??= 'application/octet-stream';
    } else {
      payload = Buffer.from(typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body));
      headers['content-type'] ??= 'application/json; charset=utf-8';
    }
    headers['content-length'] = String(payload.length);
  }
  res.writeHead(reply.status, headers);
  if (!cut) {
    res.end(payload);
    return;
  }
  res.write(payload?.subarray(0, Math.floor(payload.length / 2)) ?? Buffer.alloc(0), () => res.socket?.destroy());
}

async function answer(rt: Runtime, req: IncomingMessage, method: string, url: URL, body: Buffer): Promise<Reply> {
  const { pathname } = url;
  if (pathname.startsWith('/_mock/')) {
    return handleControl({
      state: rt.state,
      credentials: rt.credentials,
      now: rt.now(),
      method,
      pathname,
      headers: req.headers,
      body,
    });
  }
  if (isRegistryPath(pathname))
    return rt.registry.answer({ method, pathname, query: url.searchParams, headers: req.headers });
  if (!pathname.startsWith('/api/')) return errorReply(404, 'NOT_FOUND', `no such path: ${pathname}`);
  if (!rt.state.installed)
    return errorReply(503, 'DTR_NOT_INSTALLED', 'DTR is not installed: it was destroyed and not restored yet');
  const match = matchApiRoute(method, pathname);
  if (match.kind === 'not-found') return errorReply(404, 'NOT_FOUND', `no such API path: ${pathname}`);
  if (match.kind === 'method-not-allowed')
    return errorReply(405, 'METHOD_NOT_ALLOWED', `${method} is not allowed on ${pathname}`);
  const role = apiRole(req.headers, rt.credentials);
  if (role === undefined && match.route.access !== 'anyone')
    return errorReply(401, 'NOT_AUTHENTICATED', 'authentication required: a valid username and password or token');
  if (match.route.access === 'admin' && role !== 'admin')
    return errorReply(403, 'NOT_AUTHORIZED', 'this endpoint is for DTR admins only');
  return match.route.handle({
    state: rt.state,
    now: rt.now(),
    query: url.searchParams,
    body,
    params: match.params,
    jobDurationMs: rt.jobDurationMs,
    pageSize: rt.pageSize,
  });
}

async function handle(rt: Runtime, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const at = rt.now();
  const method = (req.method ?? 'GET').toUpperCase();
  const url = new URL(`http://mock${req.url ?? '/'}`);
  const record = (status: number, exchanged?: { body: Buffer; reply: Reply }): void =>
    void rt.requests.push({
      method,
      path: url.pathname,
      query: url.search,
      status,
      at,
      ...(exchanged !== undefined && url.pathname.startsWith('/api/')
        ? apiBodies(exchanged.body, exchanged.reply)
        : {}),
    });
  const fault = rt.faults.take(method, url.pathname);
  if (fault.kind !== 'none' && fault.delayMs > 0) await sleep(fault.delayMs, rt.closing.signal);
  if (fault.kind === 'reset') {
    record(0);
    req.socket.destroy();
    return;
  }
  let reply: Reply;
  let body: Buffer = Buffer.alloc(0);
  try {
    body = await readBody(req);
    reply = fault.kind === 'reply' ? fault.reply : await answer(rt, req, method, url, body);
  } catch (error) {
    reply = errorReply(500, 'INTERNAL_ERROR', `mock DTR failure: ${(error as Error).message}`);
  }
  // A cut answer reached the client only in part: recorded as a dropped connection (0).
  record(fault.kind === 'cut' ? 0 : reply.status, { body, reply });
  send(res, reply, fault.kind === 'cut');
}

/** The bodies of an API exchange as they went over the wire, parsed as JSON (kept as text when not JSON). */
function apiBodies(body: Buffer, reply: Reply): Pick<RecordedRequest, 'body' | 'answer'> {
  const parsed = (text: string): unknown => {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      return text;
    }
  };
  const sent = reply.body === undefined || reply.status === 204 ? undefined : reply.body;
  const answer =
    sent === undefined
      ? undefined
      : Buffer.isBuffer(sent) || typeof sent === 'string'
        ? String(sent)
        : JSON.stringify(sent);
  return {
    ...(body.length === 0 ? {} : { body: parsed(body.toString()) }),
    ...(answer === undefined ? {} : { answer: parsed(answer) }),
  };
}

function listen(server: Server, port: number): Promise<number> {
  return new Promise((done, fail) => {
    server.once('error', fail);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', fail);
      done((server.address() as AddressInfo).port);
    });
  });
}

/** Starts a mock DTR; close it with `close()` or `await using`. */
export async function startMockDtr(options: MockDtrOptions = {}): Promise<MockDtr> {
  const now = options.now ?? Date.now;
  const replicaId = replicaIdSchema.parse(options.replicaId ?? randomBytes(6).toString('hex'));
  const admin = options.admin ?? { username: 'admin', token: randomSecret() };
  const credentials: MockCredentials = {
    admin,
    user: options.user ?? { username: 'developer', token: randomSecret() },
    ucp: options.ucp ?? { username: admin.username, password: randomSecret() },
  };
  const storageDir = options.storageDir === undefined ? undefined : resolve(options.storageDir);
  const initial = await resolveInitialData(storageDir, options.repositories);
  // Loaded only for --tls: selfsigned and its crypto stack are not needed by a plain-HTTP mock.
  const certificate =
    options.tls === true ? await (await import('./tls.js')).generateMockCertificate(now()) : undefined;
  const version = options.version ?? '2.6.4';
  const replicas = options.replicas ?? 1;
  if (!Number.isInteger(replicas) || replicas < 1 || replicas > 9)
    throw new RangeError('a mock DTR has 1 to 9 replicas');
  const state = createState({
    version,
    replicaId,
    otherReplicaIds: Array.from({ length: replicas - 1 }, () => randomBytes(6).toString('hex')),
    dtrHost: '127.0.0.1',
    repositories: initial.repositories,
    storage: initial.storage,
    gcSchedule: options.gcSchedule === undefined ? defaultGcSchedule : options.gcSchedule,
    imageRepository: options.imageRepository ?? (isMsr(version) ? 'mirantis' : 'docker'),
    nfsExports: options.nfsExports ?? {},
    now: now(),
  });
  if (options.runningGcJobMs !== undefined) createRunningGcJob(state, now(), options.runningGcJobMs);

  const rt: Runtime = {
    state,
    credentials,
    faults: new FaultQueue(),
    requests: [],
    now,
    jobDurationMs: options.jobDurationMs ?? 1500,
    pageSize: options.pageSize ?? 10,
    closing: new AbortController(),
    registry: new MockRegistryV2(state, credentials, now, certificate !== undefined),
  };
  // A request the handler cannot even parse (e.g. `OPTIONS *`) gets its connection dropped.
  const onRequest = (req: IncomingMessage, res: ServerResponse): void =>
    void handle(rt, req, res).catch(() => res.destroy());
  const server =
    certificate === undefined
      ? createHttpServer(onRequest)
      : createHttpsServer({ key: certificate.keyPem, cert: certificate.certPem }, onRequest);
  const port = await listen(server, options.port ?? 0);
  const url = `${certificate === undefined ? 'http' : 'https'}://127.0.0.1:${port}`;
  state.settings.dtrHost = `127.0.0.1:${port}`;

  let closed: Promise<void> | undefined;
  const close = (): Promise<void> =>
    (closed ??= new Promise<void>((done) => {
      rt.closing.abort();
      server.close(() => done());
      server.closeAllConnections();
    }));

  const dockerEnv: Record<string, string> = { [standInEnv.url]: url };
  if (certificate !== undefined) dockerEnv[standInEnv.ca] = certificate.certPem;
  return {
    url,
    dockerEnv,
    dockerBin,
    credentials,
    get version() {
      return state.version;
    },
    get replicaId() {
      return state.replicaId;
    },
    ...(certificate === undefined ? {} : { caCertPem: certificate.certPem }),
    state,
    requests: rt.requests,
    injectFault: (fault) => rt.faults.add(fault),
    clearFaults: () => rt.faults.clear(),
    close,
    [Symbol.asyncDispose]: close,
  };
}
