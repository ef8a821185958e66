/**
 * The mock DTR against DTR's API specification on every path it serves, not only those a migration
 * uses: every operation of the specification the mock routes is called (path parameters filled from
 * the mock's own state), and every answer, errors included, is checked as api-contract.test.ts checks a
 * migration's traffic. Every route of the mock must be one of the specification's operations.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { apiRoutes, matchApiRoute } from '../../src/mock-dtr/api-routes.js';
import { startMockDtr } from '../../src/mock-dtr/server.js';
import type { MockDtr } from '../../src/mock-dtr/types.js';
import { call, closeAgent } from '../unit/mock-dtr/http.js';
import { ApiSpec, specVersionOf, type Found } from './spec-check.js';

const started: MockDtr[] = [];
afterEach(async () => {
  for (const m of started.splice(0)) {
    await closeAgent(m);
    await m.close();
  }
});

/** The values a request needs that the specification cannot give: path parameters and bodies. */
function sampleRequest(mock: MockDtr, found: Found): { path: string; body?: unknown } {
  const [repository] = mock.state.repositories;
  const values: Record<string, string> = {
    jobID: mock.state.jobs[0]?.id ?? 'no-job',
    action: 'onlinegc',
    namespace: repository?.namespace ?? 'none',
    reponame: repository?.name ?? 'none',
  };
  const path = found.template.replace(/\{([^}]+)\}/g, (_, name: string) => encodeURIComponent(values[name] ?? name));
  const bodies: Record<string, unknown> = {
    UpdateSettings: specVersionOf(mock.version) === '2.5' ? { sso: true } : { readOnlyRegistry: true },
    UpdateCron: {
      action: 'onlinegc',
      schedule: '@weekly',
      retries: 0,
      capacityMap: {},
      parameters: {},
      deadline: '',
      stopTimeout: '',
    },
    CreateJob: { action: 'update_vuln_db' },
  };
  const body = bodies[found.operation.operationId ?? ''];
  return body === undefined ? { path } : { path, body };
}

describe.each(['2.5.14', '2.6.14', '2.7.8'])('the mock DTR %s against its API specification', (version) => {
  it('answers every operation it serves, and its errors, as the specification declares', async () => {
    const spec = await ApiSpec.load(specVersionOf(version));
    const mock = await startMockDtr({ version, runningGcJobMs: 60_000, jobDurationMs: 60_000 });
    started.push(mock);
    const served = spec
      .operations()
      .filter((op) => matchApiRoute(op.method.toUpperCase(), sampleRequest(mock, op).path).kind === 'found');
    for (const op of served) {
      const { path, body } = sampleRequest(mock, op);
      const answer = await call(mock, path, {
        method: op.method.toUpperCase(),
        ...(body === undefined ? {} : { body }),
      });
      expect(answer.status, `${op.method} ${path}`).toBeLessThan(300);
    }
    // Errors: no login, no admin, an unknown job, a body that is not JSON.
    await call(mock, '/api/v0/meta/settings', { as: 'none' });
    await call(mock, '/api/v0/jobs', { as: 'user' });
    await call(mock, '/api/v0/jobs/0b7c3f4e-0000-4000-8000-000000000000');
    await call(mock, '/api/v0/crons', { method: 'POST', rawBody: '{"action":' });
    const problems = mock.requests.flatMap((r) =>
      spec.check(r).map((p) => `${r.method} ${r.path} → ${r.status}: ${p}`),
    );
    expect(problems).toEqual([]);
    // Every route of the mock is an operation of the specification (none was left out above).
    const unserved = apiRoutes.filter(
      (route) =>
        !served.some(
          (op) => op.method.toUpperCase() === route.method && route.pattern.test(sampleRequest(mock, op).path),
        ),
    );
    expect(unserved.map((route) => `${route.method} ${route.pattern.source}`)).toEqual([]);
  });
});

describe('the seed commands of DTR documentation', () => {
  it('get 202 from the mock: read-only mode on, and the onlinegc_blobs job', async () => {
    const mock = await startMockDtr({ version: '2.7.8' });
    started.push(mock);
    const readOnly = await call(mock, '/api/v0/meta/settings', { method: 'POST', body: { readOnlyRegistry: true } });
    expect(readOnly.status).toBe(202);
    expect(mock.state.settings.readOnlyRegistry).toBe(true);
    const job = await call(mock, '/api/v0/jobs', { method: 'POST', body: { action: 'onlinegc_blobs' } });
    expect(job.status).toBe(202);
    expect(job.json<{ action: string }>().action).toBe('onlinegc_blobs');
  });
});
