/**
 * The DTR API client against the mock DTR on a loopback port: every endpoint dtr-migrate uses, and the
 * answers it must turn into clear errors (401, 403, 404, malformed bodies, refused connections, TLS).
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DtrClient } from '../../src/api/client.js';
import { isMigrateError, type MigrateError } from '../../src/errors.js';
import { startMockDtr } from '../../src/mock-dtr/server.js';
import type { MockDtr } from '../../src/mock-dtr/types.js';

let mock: MockDtr;
let admin: DtrClient;

beforeAll(async () => {
  mock = await startMockDtr({ jobDurationMs: 200, pageSize: 2 });
  admin = new DtrClient({
    baseUrl: mock.url,
    username: mock.credentials.admin.username,
    secret: mock.credentials.admin.token,
    retryBudgetMs: 2_000,
  });
});
afterAll(async () => {
  await admin.close();
  await mock.close();
});

async function failure(promise: Promise<unknown>): Promise<MigrateError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!isMigrateError(error)) throw new Error(`expected a MigrateError, got ${String(error)}`);
  return error;
}

describe('DtrClient against the mock DTR', () => {
  it('reads and changes read-only mode', async () => {
    expect((await admin.getSettings()).readOnlyRegistry).toBe(false);
    await admin.setReadOnly(true);
    expect((await admin.getSettings()).readOnlyRegistry).toBe(true);
    await admin.setReadOnly(false);
    expect((await admin.getSettings()).readOnlyRegistry).toBe(false);
  });

  it('lists, removes and writes back the GC schedule; removing twice is harmless', async () => {
    const before = await admin.listCrons();
    const gc = before.find((c) => c.action === 'onlinegc');
    expect(gc?.schedule).toBeTruthy();
    await admin.deleteCron('onlinegc');
    await admin.deleteCron('onlinegc');
    expect((await admin.listCrons()).find((c) => c.action === 'onlinegc')).toBeUndefined();
    const fields = { retries: 0, capacityMap: {}, parameters: {}, deadline: '', stopTimeout: '' };
    const saved = await admin.saveCron({ action: 'onlinegc', schedule: gc?.schedule ?? '', ...fields });
    expect(saved.id).not.toBe(gc?.id);
    expect((await admin.listCrons()).find((c) => c.action === 'onlinegc')?.schedule).toBe(gc?.schedule);
    // A descriptor is a schedule too, and saving again replaces the cron (a new id each time).
    const hourly = await admin.saveCron({ action: 'onlinegc', schedule: '@hourly', ...fields });
    expect(hourly.id).not.toBe(saved.id);
    expect((await admin.listCrons()).filter((c) => c.action === 'onlinegc').map((c) => c.schedule)).toEqual([
      '@hourly',
    ]);
  });

  it('starts a job (202 and an id) and follows it to done', async () => {
    const job = await admin.createJob('onlinegc_blobs');
    expect(job.id).toMatch(/[0-9a-f-]{36}/);
    expect(['waiting', 'running']).toContain(job.status);
    let status = job.status;
    for (let i = 0; i < 50 && status !== 'done'; i += 1) {
      await new Promise((r) => setTimeout(r, 50));
      status = (await admin.getJob(job.id)).status;
    }
    expect(status).toBe('done');
    expect((await admin.listJobs({ action: 'onlinegc_blobs' })).map((j) => j.id)).toContain(job.id);
  });

  it("reads the running version from DTR's API specification", async () => {
    expect(await admin.version()).toBe(mock.version);
  });

  it('reports cluster status with the replica healthy', async () => {
    expect((await admin.clusterStatus()).replica_health[mock.replicaId]).toBe('OK');
  });

  it('pages through repositories and tags with X-Next-Page-Start', async () => {
    const repos = [];
    for await (const repo of admin.repositories(1)) repos.push(repo);
    const expected = mock.state.repositories.length;
    expect(expected).toBeGreaterThan(1);
    expect(repos).toHaveLength(expected);
    const first = mock.state.repositories[0];
    const tags = [];
    for await (const tag of admin.tags(first?.namespace ?? '', first?.name ?? '', 1)) tags.push(tag.name);
    expect(tags.sort()).toEqual(first?.tags.map((t) => t.name).sort());
  });

  it('names the credentials on 401 and the admin requirement on 403', async () => {
    const wrong = new DtrClient({ baseUrl: mock.url, username: 'admin', secret: 'not-the-token' });
    const e401 = await failure(wrong.getSettings());
    expect(e401.code).toBe('API_AUTH');
    expect(e401.exitCode).toBe(4);
    expect(e401.hint).toContain('DTR_TOKEN');
    expect(e401.message).not.toContain('not-the-token');
    await wrong.close();
    const user = new DtrClient({
      baseUrl: mock.url,
      username: mock.credentials.user.username,
      secret: mock.credentials.user.token,
    });
    const e403 = await failure(user.listCrons());
    expect(e403.code).toBe('API_FORBIDDEN');
    expect(e403.message).toContain('admin');
    await user.close();
  });

  it("turns 404 into an API error that carries DTR's code", async () => {
    const e = await failure(admin.getJob('00000000-0000-0000-0000-000000000000'));
    expect(e.code).toBe('API_ERROR');
    expect(e.message).toContain('404');
    expect(e.message).toContain('NO_SUCH_JOB');
  });

  it('rejects a malformed body and a body of the wrong shape as contract errors', async () => {
    mock.injectFault({ method: 'GET', path: '/api/v0/meta/settings', status: 200, body: '{"readOnlyRegistry": tru' });
    expect((await failure(admin.getSettings())).code).toBe('API_CONTRACT');
    mock.injectFault({
      method: 'GET',
      path: '/api/v0/meta/settings',
      status: 200,
      body: '{"readOnlyRegistry": "yes"}',
    });
    const shape = await failure(admin.getSettings());
    expect(shape.code).toBe('API_CONTRACT');
    expect(shape.message).toContain('readOnlyRegistry');
  });

  it('retries idempotent reads through a burst of 503s, but never a POST', async () => {
    mock.injectFault({ method: 'GET', path: '/api/v0/meta/cluster_status', status: 503, times: 2 });
    expect((await admin.clusterStatus()).replica_health[mock.replicaId]).toBe('OK');
    mock.injectFault({ method: 'POST', path: '/api/v0/jobs', status: 503, times: 1 });
    const before = mock.requests.filter((r) => r.method === 'POST' && r.path === '/api/v0/jobs').length;
    expect((await failure(admin.createJob('onlinegc_blobs'))).message).toContain('503');
    expect(mock.requests.filter((r) => r.method === 'POST' && r.path === '/api/v0/jobs').length).toBe(before + 1);
  });

  it('says the connection was refused, naming --dtr-url', async () => {
    const closed = await startMockDtr();
    const url = closed.url;
    await closed.close();
    const client = new DtrClient({ baseUrl: url, username: 'a', secret: 'b', retryBudgetMs: 0 });
    const e = await failure(client.getSettings());
    expect(e.code).toBe('API_UNREACHABLE');
    expect(e.hint).toContain('--dtr-url');
    await client.close();
  });
});

describe('DtrClient over TLS', () => {
  it('refuses an untrusted certificate, trusts it with --ca-cert, skips it with --insecure-tls', async () => {
    const tls = await startMockDtr({ tls: true });
    const { username, token } = tls.credentials.admin;
    const strict = new DtrClient({ baseUrl: tls.url, username, secret: token });
    const e = await failure(strict.getSettings());
    expect(e.code).toBe('API_TLS');
    expect(e.hint).toContain('--ca-cert');
    const dir = await mkdtemp(join(tmpdir(), 'ca-'));
    await writeFile(join(dir, 'ca.pem'), tls.caCertPem ?? '');
    const trusted = new DtrClient({ baseUrl: tls.url, username, secret: token, caCertFile: join(dir, 'ca.pem') });
    expect((await trusted.getSettings()).readOnlyRegistry).toBe(false);
    const insecure = new DtrClient({ baseUrl: tls.url, username, secret: token, insecureTls: true });
    expect((await insecure.getSettings()).readOnlyRegistry).toBe(false);
    await Promise.all([strict.close(), trusted.close(), insecure.close()]);
    await tls.close();
  });
});
