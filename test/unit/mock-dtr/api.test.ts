import { afterEach, describe, expect, it } from 'vitest';
import {
  clusterStatusSchema,
  cronListSchema,
  cronSchema,
  errorEnvelopeSchema,
  jobListSchema,
  jobLogsSchema,
  jobSchema,
  repositoryPageSchema,
  settingsSchema,
  tagPageSchema,
  workerListSchema,
} from '../../../src/api/schemas.js';
import { startMockDtr, type MockDtr, type MockDtrOptions } from '../../../src/mock-dtr/index.js';
import { call, closeAgent } from './http.js';

const started: MockDtr[] = [];
async function mock(options: MockDtrOptions = {}): Promise<MockDtr> {
  const m = await startMockDtr(options);
  started.push(m);
  return m;
}
afterEach(async () => {
  for (const m of started.splice(0)) {
    await closeAgent(m);
    await m.close();
  }
});

const errorCode = (text: string): string | undefined => errorEnvelopeSchema.parse(JSON.parse(text)).errors[0]?.code;

describe('mock DTR API: authentication', () => {
  it('answers 401 with a Basic challenge to missing or wrong credentials', async () => {
    const m = await mock();
    const missing = await call(m, '/api/v0/meta/settings', { as: 'none' });
    expect(missing.status).toBe(401);
    expect(missing.headers.get('www-authenticate')).toBe('Basic realm="dtr"');
    expect(errorCode(missing.text)).toBe('NOT_AUTHENTICATED');
    const wrong = await call(m, '/api/v0/meta/settings', { as: { username: 'admin', password: 'nope' } });
    expect(wrong.status).toBe(401);
  });

  it('answers 403 to a non-admin on admin endpoints but lets it list repositories', async () => {
    const m = await mock();
    for (const path of [
      '/api/v0/meta/settings',
      '/api/v0/crons',
      '/api/v0/jobs',
      '/api/v0/workers',
      '/api/v0/meta/cluster_status',
    ]) {
      const answer = await call(m, path, { as: 'user' });
      expect(answer.status, path).toBe(403);
      expect(errorCode(answer.text)).toBe('NOT_AUTHORIZED');
    }
    expect((await call(m, '/api/v0/repositories', { as: 'user' })).status).toBe(200);
  });

  it('accepts the UCP admin password as a DTR admin', async () => {
    const m = await mock({ ucp: { username: 'ucpadmin', password: 'pw' } });
    expect((await call(m, '/api/v0/meta/settings', { as: 'ucp' })).status).toBe(200);
  });
});

describe('mock DTR API: settings, cluster, crons', () => {
  it('round-trips readOnlyRegistry with 202 and refuses bad JSON', async () => {
    const m = await mock();
    expect(settingsSchema.parse((await call(m, '/api/v0/meta/settings')).json()).readOnlyRegistry).toBe(false);
    const set = await call(m, '/api/v0/meta/settings', { method: 'POST', body: { readOnlyRegistry: true } });
    expect(set.status).toBe(202);
    expect(settingsSchema.parse((await call(m, '/api/v0/meta/settings')).json()).readOnlyRegistry).toBe(true);
    expect(m.state.settings.readOnlyRegistry).toBe(true);
    const bad = await call(m, '/api/v0/meta/settings', { method: 'POST', rawBody: '{"readOnlyRegistry":' });
    expect(bad.status).toBe(400);
    expect(errorCode(bad.text)).toBe('INVALID_JSON');
    const wrongType = await call(m, '/api/v0/meta/settings', { method: 'POST', body: { readOnlyRegistry: 'yes' } });
    expect(wrongType.status).toBe(400);
  });

  it('reports the replica healthy, read-only or not, and who holds the GC lock', async () => {
    let t = 1_000_000;
    const m = await mock({ replicaId: 'abcdef012345', now: () => t, runningGcJobMs: 1_000 });
    const status = async () => clusterStatusSchema.parse((await call(m, '/api/v0/meta/cluster_status')).json());
    const running = await status();
    expect(running.replica_health).toEqual({ abcdef012345: 'OK' });
    expect(running.replica_readonly).toEqual({ abcdef012345: false });
    expect(running.gc_lock_holder).toBe(`job ${m.state.jobs[0]?.id ?? ''}`);
    t += 2_000;
    expect((await status()).gc_lock_holder).toBe('');
    await call(m, '/api/v0/meta/settings', { method: 'POST', body: { readOnlyRegistry: true } });
    expect((await status()).replica_readonly).toEqual({ abcdef012345: true });
  });

  it("names each replica's node and the storage in its settings", async () => {
    const m = await mock({ replicaId: 'abcdef012345' });
    const settings = settingsSchema.parse((await call(m, '/api/v0/meta/settings')).json());
    expect(settings.replicaSettings).toEqual({ abcdef012345: { HTTPPort: 80, HTTPSPort: 443, node: 'ucp-node-1' } });
    expect(settings).toMatchObject({ replicaID: 'abcdef012345', storageVolume: '', nfsHost: '', nfsPath: '' });
    m.state.storage = { kind: 'nfs', url: 'nfs://nas/dtr', host: 'nas', path: '/dtr', async: false };
    expect(settingsSchema.parse((await call(m, '/api/v0/meta/settings')).json())).toMatchObject({
      storageVolume: '',
      nfsHost: 'nas',
      nfsPath: '/dtr',
    });
  });

  it('lists, deletes and re-creates the GC cron as DTR does: POST with the action, DELETE 204 even when absent', async () => {
    const m = await mock();
    const listed = cronListSchema.parse((await call(m, '/api/v0/crons')).json()).crons;
    expect(listed.map((c) => [c.action, c.schedule])).toEqual([['onlinegc', '0 0 1 * * 6']]);
    expect((await call(m, '/api/v0/crons/onlinegc', { method: 'DELETE' })).status).toBe(204);
    expect((await call(m, '/api/v0/crons/onlinegc', { method: 'DELETE' })).status).toBe(204);
    expect(cronListSchema.parse((await call(m, '/api/v0/crons')).json()).crons).toEqual([]);
    expect(errorCode((await call(m, '/api/v0/crons/onlinegc')).text)).toBe('NO_SUCH_CRON');
    const fields = { retries: 0, capacityMap: {}, parameters: {}, deadline: '', stopTimeout: '' };
    const created = await call(m, '/api/v0/crons', {
      method: 'POST',
      body: { action: 'onlinegc', schedule: '0 30 2 * * 0', ...fields },
    });
    expect(created.status).toBe(202);
    const first = cronSchema.parse(created.json());
    expect(first).toMatchObject({ action: 'onlinegc', schedule: '0 30 2 * * 0' });
    const updated = await call(m, '/api/v0/crons', {
      method: 'POST',
      body: { action: 'onlinegc', schedule: '@hourly' },
    });
    expect(updated.status).toBe(202);
    expect(cronSchema.parse(updated.json()).id).not.toBe(first.id);
    expect(m.state.crons.map((c) => c.schedule)).toEqual(['@hourly']);
    expect(cronSchema.parse((await call(m, '/api/v0/crons/onlinegc')).json()).schedule).toBe('@hourly');
    const fiveFields = await call(m, '/api/v0/crons', {
      method: 'POST',
      body: { action: 'onlinegc', schedule: '0 3 * * 0' },
    });
    expect(fiveFields.status).toBe(400);
    expect((await call(m, '/api/v0/crons/onlinegc', { method: 'PUT', body: {} })).status).toBe(405);
  });

  it('starts with no GC cron when the schedule is "Never"', async () => {
    const m = await mock({ gcSchedule: null });
    expect(cronListSchema.parse((await call(m, '/api/v0/crons')).json()).crons).toEqual([]);
  });
});

describe('mock DTR API: jobs', () => {
  it('moves a job from waiting to running to done with the clock', async () => {
    let t = 1_000_000;
    const m = await mock({ now: () => t, jobDurationMs: 900 });
    const posted = await call(m, '/api/v0/jobs', { method: 'POST', body: { action: 'onlinegc_blobs' } });
    expect(posted.status).toBe(202);
    const job = jobSchema.parse(posted.json());
    expect(job.status).toBe('waiting');
    const statusAt = async (at: number) => {
      t = at;
      return jobSchema.parse((await call(m, `/api/v0/jobs/${job.id}`)).json()).status;
    };
    expect(await statusAt(1_000_299)).toBe('waiting');
    expect(await statusAt(1_000_300)).toBe('running');
    expect(await statusAt(1_000_899)).toBe('running');
    expect(await statusAt(1_000_900)).toBe('done');
    const logs = jobLogsSchema.parse((await call(m, `/api/v0/jobs/${job.id}/logs`)).json());
    expect(logs.at(-1)?.data).toContain('finished');
  });

  it('filters, pages and cancels jobs', async () => {
    let t = 5_000_000;
    const m = await mock({ now: () => t, jobDurationMs: 900, runningGcJobMs: 5_000 });
    const running = jobListSchema.parse((await call(m, '/api/v0/jobs?running=true&action=onlinegc')).json()).jobs;
    expect(running.map((j) => j.status)).toEqual(['running']);
    for (let i = 0; i < 3; i += 1)
      await call(m, '/api/v0/jobs', { method: 'POST', body: { action: 'onlinegc_blobs' } });
    const page = jobListSchema.parse((await call(m, '/api/v0/jobs?action=onlinegc_blobs&start=1&limit=5')).json()).jobs;
    expect(page).toHaveLength(2);
    const gc = running[0]?.id ?? '';
    expect((await call(m, `/api/v0/jobs/${gc}/cancel`, { method: 'POST' })).status).toBe(204);
    expect(jobSchema.parse((await call(m, `/api/v0/jobs/${gc}`)).json()).status).toBe('cancel_request');
    t += 1_000;
    expect(jobSchema.parse((await call(m, `/api/v0/jobs/${gc}`)).json()).status).toBe('canceled');
    // DELETE removes the job's record.
    expect((await call(m, `/api/v0/jobs/${gc}`, { method: 'DELETE' })).status).toBe(204);
    expect((await call(m, `/api/v0/jobs/${gc}`)).status).toBe(404);
    const workers = workerListSchema.parse((await call(m, '/api/v0/workers')).json()).workers;
    expect(workers.map((w) => w.id)).toEqual([m.replicaId]);
    expect((await call(m, '/api/v0/jobs', { method: 'POST', body: { action: 'no_such_action' } })).status).toBe(400);
  });

  it('answers 404 NO_SUCH_JOB for an unknown job', async () => {
    const m = await mock();
    for (const path of ['/api/v0/jobs/0b7c3f4e-0000-4000-8000-000000000000', '/api/v0/jobs/nope/logs']) {
      const answer = await call(m, path);
      expect(answer.status).toBe(404);
      expect(errorCode(answer.text)).toBe('NO_SUCH_JOB');
    }
  });
});

describe('mock DTR API: repositories and tags', () => {
  it('pages repositories and tags with X-Next-Page-Start', async () => {
    const tags = Array.from({ length: 5 }, (_, i) => ({ name: `v${i}`, digest: `sha256:${String(i).repeat(64)}` }));
    const repositories = Array.from({ length: 5 }, (_, i) => ({ namespace: 'team', name: `app${i}`, tags }));
    const m = await mock({ repositories, pageSize: 2 });
    const names: string[] = [];
    let start = '';
    for (let pages = 0; pages < 10; pages += 1) {
      const answer = await call(m, `/api/v0/repositories?pageStart=${encodeURIComponent(start)}`, { as: 'user' });
      names.push(...repositoryPageSchema.parse(answer.json()).repositories.map((r) => r.name));
      start = answer.headers.get('x-next-page-start') ?? '';
      if (start === '') break;
    }
    expect(names).toEqual(['app0', 'app1', 'app2', 'app3', 'app4']);
    const first = await call(m, '/api/v0/repositories/team/app1/tags?pageSize=3');
    expect(tagPageSchema.parse(first.json()).map((t) => t.name)).toEqual(['v0', 'v1', 'v2']);
    const next = first.headers.get('x-next-page-start') ?? '';
    const second = await call(m, `/api/v0/repositories/team/app1/tags?pageSize=3&pageStart=${next}`);
    expect(tagPageSchema.parse(second.json()).map((t) => t.digest)).toEqual([tags[3]?.digest, tags[4]?.digest]);
    expect(second.headers.get('x-next-page-start')).toBeNull();
    expect((await call(m, '/api/v0/repositories/team/nope/tags')).status).toBe(404);
  });

  it('answers 404 to unknown paths and 405 to wrong methods', async () => {
    const m = await mock();
    expect(errorCode((await call(m, '/api/v0/nothing')).text)).toBe('NOT_FOUND');
    expect((await call(m, '/elsewhere')).status).toBe(404);
    expect((await call(m, '/api/v0/workers', { method: 'POST', body: {} })).status).toBe(405);
  });
});

describe('mock DTR API: destroyed DTR and HTTPS', () => {
  it('answers 503 DTR_NOT_INSTALLED on every API path while destroyed', async () => {
    const m = await mock();
    m.state.installed = false;
    for (const path of ['/api/v0/meta/settings', '/api/v0/repositories', '/api/v0/anything']) {
      const answer = await call(m, path, { as: 'none' });
      expect(answer.status, path).toBe(503);
      expect(errorCode(answer.text)).toBe('DTR_NOT_INSTALLED');
    }
    m.state.installed = true;
    expect((await call(m, '/api/v0/meta/settings')).status).toBe(200);
  });

  it('serves HTTPS that a client trusts with the returned CA', async () => {
    const m = await mock({ tls: true });
    expect(m.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect(m.caCertPem).toContain('BEGIN CERTIFICATE');
    expect(m.dockerEnv).toEqual({ DTR_MOCK_URL: m.url, DTR_MOCK_CA: m.caCertPem });
    expect((await call(m, '/api/v0/meta/settings')).status).toBe(200);
    const { fetch } = await import('undici');
    await expect(fetch(`${m.url}/api/v0/meta/settings`)).rejects.toThrow();
  });

  it('records every request and closes with await using', async () => {
    let url = '';
    {
      await using m = await startMockDtr();
      url = m.url;
      await call(m, '/api/v0/repositories?pageSize=1', { as: 'none' });
      expect(m.requests).toEqual([
        {
          method: 'GET',
          path: '/api/v0/repositories',
          query: '?pageSize=1',
          status: 401,
          at: expect.any(Number),
          answer: { errors: [expect.objectContaining({ code: 'NOT_AUTHENTICATED' })] },
        },
      ]);
      await closeAgent(m);
    }
    const { fetch } = await import('undici');
    await expect(fetch(`${url}/api/v0/repositories`)).rejects.toThrow();
  });
});
