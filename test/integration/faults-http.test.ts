/**
 * HTTP and job faults, through the CLI's entry point in this process (cli-in-process.ts) against the
 * mock DTR. Idempotent calls are retried with backoff within a bounded time (after 5xx, a dropped
 * connection, an answer cut off half-way through its body, an answer slower than --api-timeout); a body
 * that is not JSON, a read that keeps failing, a POST that fails and a job that ends badly or never are
 * clear failures (exit 1, journal step `failed`) that `migrate` resumes from once the fault is gone; the
 * job POST is never sent twice blindly. The failures are met one after another by one migration. A run
 * killed right after the job POST needs a real process: test/e2e/faults-http.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { gcJobActions } from '../../src/dtr/facts.js';
import { setJobFaults } from '../../src/mock-dtr/faults.js';
import type { MockFault, MockJobFaults } from '../../src/mock-dtr/types.js';
import {
  expectCleanFailure,
  expectMigrated,
  faultFixture,
  jobPosts,
  journalOf,
  longTestMs,
} from '../helpers/fault-checks.js';
import { runCliInProcess } from '../helpers/cli-in-process.js';
import type { MigrationFixture } from '../helpers/mock-migration.js';

const statuses = (f: MigrationFixture, method: string, path: string): number[] =>
  f.mock.requests.filter((r) => r.method === method && r.path === path).map((r) => r.status);

// Concurrent: the chain spends half a minute waiting on a read's retry budget; the others fit in it.
describe.concurrent('HTTP and job faults', { timeout: longTestMs }, () => {
  it('survives 5xx bursts, dropped connections, answers cut off half-way and answers slower than --api-timeout', async (ctx) => {
    const { f, finish, tags } = await faultFixture(ctx);
    const injected: MockFault[] = [
      { method: 'GET', path: '/api/v0/meta/settings', status: 503, times: 2 },
      { method: 'GET', path: '/api/v0/meta/settings', reset: true, times: 1 },
      { method: 'GET', path: '/api/v0/crons', status: 502, times: 2 },
      { method: 'GET', path: '/api/v0/jobs', status: 500, times: 2 },
      { method: 'GET', path: '/api/v0/jobs', cut: true, times: 1 },
      { method: 'GET', path: '/api/v0/repositories', reset: true, times: 2 },
      // Beyond the client's timeout (--api-timeout 2): the client gives up on it and asks again.
      { method: 'GET', path: '/api/v0/meta/cluster_status', delayMs: 4_000, times: 1 },
      { method: 'DELETE', path: '/api/v0/crons/onlinegc', status: 504, times: 1 },
      // Writing the schedule back is a POST that may be repeated (it replaces the cron of its action).
      { method: 'POST', path: '/api/v0/crons', reset: true, times: 1 },
      { method: 'POST', path: '/api/v0/crons', status: 503, times: 1 },
    ];
    for (const fault of injected) f.mock.injectFault(fault);
    const run = await runCliInProcess(['migrate', ...f.args, ...finish, '--api-timeout', '2'], { env: f.env });
    expect(run.code, run.stderr).toBe(0);
    await expectMigrated(f, tags);
    // Each bad answer was met (status 0: a dropped connection), then the same call went through.
    expect(statuses(f, 'GET', '/api/v0/meta/settings').slice(0, 4)).toEqual([503, 503, 0, 200]);
    expect(statuses(f, 'GET', '/api/v0/crons').slice(0, 3)).toEqual([502, 502, 200]);
    expect(statuses(f, 'GET', '/api/v0/jobs').slice(0, 4)).toEqual([500, 500, 0, 200]);
    // The slow answer was given up on after 2 s, and asked again before it came.
    const [slow, again] = f.mock.requests.filter((r) => r.path === '/api/v0/meta/cluster_status');
    expect((again?.at ?? Infinity) - (slow?.at ?? 0)).toBeLessThan(4_000);
    expect(statuses(f, 'GET', '/api/v0/repositories').slice(0, 3)).toEqual([0, 0, 200]);
    expect(statuses(f, 'DELETE', '/api/v0/crons/onlinegc')).toEqual([504, 204]);
    expect(statuses(f, 'POST', '/api/v0/crons')).toEqual([0, 503, 202]);
    expect(f.mock.state.crons.map((c) => c.action)).toEqual(['onlinegc']);
    expect(jobPosts(f.mock)).toBe(1);
  });

  it('stops cleanly on each lasting fault, never re-sends the job POST blindly, and resumes to the end', async (ctx) => {
    const { f, finish, tags } = await faultFixture(ctx);
    const migrate = (extra: string[] = []) =>
      runCliInProcess(['migrate', ...f.args, ...finish, ...extra], { env: f.env });
    const stepOf = async (id: string) => (await journalOf(f.stateDir)).steps[id];

    // A body that is not JSON: a contract failure, not retried.
    f.mock.injectFault({ method: 'GET', path: '/api/v0/jobs', status: 200, body: '{"jobs": [', times: 1 });
    expectCleanFailure(
      await migrate(),
      1,
      /DTR answered \/api\/v0\/jobs\S* with a body that is not JSON/,
      /→ .*--dtr-url/,
    );
    expect((await stepOf('disable-gc'))?.status).toBe('failed');

    // A read that keeps failing: retried with backoff, then given up within the retry budget.
    f.mock.injectFault({ method: 'GET', path: '/api/v0/jobs', status: 503, times: 1_000 });
    const before = statuses(f, 'GET', '/api/v0/jobs').length;
    const started = Date.now();
    expectCleanFailure(await migrate(), 1, /DTR answered GET \/api\/v0\/jobs\S* with HTTP 503/);
    expect(Date.now() - started).toBeLessThan(120_000);
    // GC jobs are listed once for all actions and once per GC action on each try.
    const tries = (statuses(f, 'GET', '/api/v0/jobs').length - before) / (gcJobActions.length + 1);
    expect(tries).toBeGreaterThan(3);
    expect(tries).toBeLessThan(20); // backoff, not a tight loop
    expect((await stepOf('disable-gc'))?.status).toBe('failed');
    f.mock.clearFaults();

    // The job POST answered 500: no job was started; one POST in that run, none repeated in it.
    f.mock.injectFault({ method: 'POST', path: '/api/v0/jobs', status: 500, times: 1 });
    expectCleanFailure(await migrate(), 1, /DTR answered POST \/api\/v0\/jobs with HTTP 500/);
    expect(jobPosts(f.mock)).toBe(1);
    expect((await stepOf('onlinegc-blobs'))?.status).toBe('failed');

    // Jobs that end errored, or canceled: the step fails; the next run starts a new job.
    const jobFault = (outcome: MockJobFaults['outcome']): void =>
      setJobFaults(f.mock.state, { outcome, action: 'onlinegc_blobs', times: 1 });
    for (const [n, outcome] of [
      [2, 'errored'],
      [3, 'canceled'],
    ] as const) {
      jobFault(outcome);
      expectCleanFailure(
        await migrate(),
        1,
        new RegExp(`DTR job \\S+ \\(onlinegc_blobs\\) ended "${outcome}"`),
        /→ .*logs.*migrate/,
      );
      expect(jobPosts(f.mock), outcome).toBe(n);
      expect((await stepOf('onlinegc-blobs'))?.status).toBe('failed');
    }

    // A job that never ends: the wait times out; once the job ends, the resume follows that same job.
    jobFault('never');
    expectCleanFailure(
      await migrate(['--job-timeout', '2']),
      1,
      /DTR job \S+ is still "running" after/,
      /→ .*--job-timeout/,
    );
    expect(jobPosts(f.mock)).toBe(4);
    const stuck = f.mock.state.jobs.find((j) => j.action === 'onlinegc_blobs' && j.endsAt > Date.now() + 3_600_000);
    if (stuck === undefined) throw new Error('no endless onlinegc_blobs job was started');
    stuck.endsAt = Date.now();
    const resumed = await migrate();
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(jobPosts(f.mock)).toBe(4);
    await expectMigrated(f, tags);
  });
});
