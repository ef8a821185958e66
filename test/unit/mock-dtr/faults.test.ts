import { afterEach, describe, expect, it } from 'vitest';
import { settingsSchema } from '../../../src/api/schemas.js';
import { startMockDtr, type MockDtr } from '../../../src/mock-dtr/index.js';
import { call, closeAgent } from './http.js';

let m: MockDtr;
afterEach(async () => {
  await closeAgent(m);
  await m.close();
});

describe('mock DTR injected faults', () => {
  it('sends a malformed body once, then the normal answer', async () => {
    m = await startMockDtr();
    m.injectFault({ path: '/api/v0/meta/settings', body: '{"readOnlyRegistry": tru' });
    const broken = await call(m, '/api/v0/meta/settings');
    expect(broken.status).toBe(200);
    expect(() => broken.json()).toThrow();
    expect(settingsSchema.safeParse((await call(m, '/api/v0/meta/settings')).json()).success).toBe(true);
  });

  it('answers a burst of 500s with an error envelope, then recovers', async () => {
    m = await startMockDtr();
    m.injectFault({ method: 'GET', path: /^\/api\/v0\/jobs/, status: 500, times: 2 });
    expect((await call(m, '/api/v0/jobs')).status).toBe(500);
    const second = await call(m, '/api/v0/jobs/x');
    expect(second.status).toBe(500);
    expect(second.json()).toMatchObject({ errors: [{ code: 'INTERNAL_ERROR' }] });
    expect((await call(m, '/api/v0/jobs')).status).toBe(200);
    expect(m.requests.map((r) => r.status)).toEqual([500, 500, 200]);
  });

  it('fakes 401, 403 and 404 answers', async () => {
    m = await startMockDtr();
    m.injectFault({ path: '/api/v0/crons', status: 401 });
    m.injectFault({ path: '/api/v0/crons', status: 403 });
    m.injectFault({ path: '/api/v0/crons', status: 404 });
    const unauthenticated = await call(m, '/api/v0/crons');
    expect(unauthenticated.status).toBe(401);
    expect(unauthenticated.headers.get('www-authenticate')).toBe('Basic realm="dtr"');
    expect((await call(m, '/api/v0/crons')).status).toBe(403);
    expect((await call(m, '/api/v0/crons')).status).toBe(404);
    expect((await call(m, '/api/v0/crons')).status).toBe(200);
  });

  it('delays the normal answer', async () => {
    m = await startMockDtr();
    m.injectFault({ path: '/api/v0/workers', delayMs: 150 });
    const started = performance.now();
    expect((await call(m, '/api/v0/workers')).status).toBe(200);
    expect(performance.now() - started).toBeGreaterThanOrEqual(140);
  });

  it('drops the connection on reset, and only for the matching method', async () => {
    m = await startMockDtr();
    m.injectFault({ method: 'POST', path: '/api/v0/jobs', reset: true });
    expect((await call(m, '/api/v0/jobs')).status).toBe(200);
    await expect(call(m, '/api/v0/jobs', { method: 'POST', body: { action: 'onlinegc_blobs' } })).rejects.toThrow();
    expect(m.requests.at(-1)).toMatchObject({ method: 'POST', path: '/api/v0/jobs', status: 0 });
    m.injectFault({ path: '/api/v0/jobs', status: 503, times: 5 });
    m.clearFaults();
    expect((await call(m, '/api/v0/jobs')).status).toBe(200);
  });

  it('does not hang close() on a pending delay', async () => {
    m = await startMockDtr();
    m.injectFault({ path: '/api/v0/workers', delayMs: 60_000 });
    const pending = call(m, '/api/v0/workers').catch(() => 'dropped');
    await new Promise((r) => setTimeout(r, 50));
    const started = performance.now();
    await m.close();
    expect(performance.now() - started).toBeLessThan(2_000);
    await pending;
  });
});
