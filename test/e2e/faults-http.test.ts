/**
 * HTTP and job faults, through the real CLI against the mock DTR. Idempotent reads are retried with
 * backoff within a bounded time; a body that is not JSON, a POST that fails and a job that ends badly
 * or never are clear failures (exit 1, journal step `failed`) that `migrate` resumes from once the
 * fault is gone; the job POST is never sent twice blindly.
 */
import { describe, expect, it, type TestContext } from 'vitest';
import { setJobFaults } from '../../src/mock-dtr/faults.js';
import type { MockJobFault } from '../../src/mock-dtr/types.js';
import { runCli } from '../helpers/cli.js';
import { expectCleanFailure, expectMigrated, finishArgs, jobPosts, journalOf, tagsOf, until } from '../helpers/fault-checks.js';
import { migrationFixture, type MigrationFixture } from '../helpers/mock-migration.js';

/** A fixture closed when its test ends (tests here run concurrently, so no shared afterEach). */
async function fixture(ctx: TestContext): Promise<{ f: MigrationFixture; finish: string[]; tags: string[] }> {
  const f = await migrationFixture();
  ctx.onTestFinished(() => f.close());
  return { f, finish: await finishArgs(f), tags: tagsOf(f.mock) };
}

const statuses = (f: MigrationFixture, method: string, path: string): number[] => f.mock.requests.filter((r) => r.method === method && r.path === path).map((r) => r.status);

describe.concurrent('transient HTTP faults are survived', () => {
  it('retries reads through 5xx bursts, dropped connections and slow answers, and completes', async (ctx) => {
    const { f, finish, tags } = await fixture(ctx);
    const injected = [
      { method: 'GET', path: '/api/v0/meta/settings', status: 503, times: 3 },
      { method: 'GET', path: '/api/v0/crons', status: 502, times: 2 },
      { method: 'GET', path: '/api/v0/jobs', status: 500, times: 2 },
      { method: 'GET', path: '/api/v0/meta/cluster_status', delayMs: 1_500, times: 2 },
      { method: 'DELETE', path: '/api/v0/crons/onlinegc', status: 504, times: 1 },
      { method: 'PUT', path: '/api/v0/crons/onlinegc', status: 503, times: 1 },
    ];
    for (const fault of injected) f.mock.injectFault(fault);
    const started = Date.now();
    const run = await runCli(['migrate', ...f.args, ...finish], { env: f.env });
    expect(run.code, run.stderr).toBe(0);
    expect(Date.now() - started).toBeLessThan(45_000);
    await expectMigrated(f, tags);
    // Each fault was met (its bad answers recorded), then the same read succeeded.
    expect(statuses(f, 'GET', '/api/v0/meta/settings').slice(0, 4)).toEqual([503, 503, 503, 200]);
    expect(statuses(f, 'GET', '/api/v0/crons').slice(0, 3)).toEqual([502, 502, 200]);
    expect(statuses(f, 'GET', '/api/v0/jobs').slice(0, 3)).toEqual([500, 500, 200]);
    expect(statuses(f, 'DELETE', '/api/v0/crons/onlinegc')).toEqual([504, 204]);
    expect(statuses(f, 'PUT', '/api/v0/crons/onlinegc').slice(0, 2)).toEqual([503, 200]);
    expect(f.mock.state.crons.map((c) => c.action)).toEqual(['onlinegc']);
  }, 90_000);

  it('retries reads and idempotent writes through dropped connections, and completes', async (ctx) => {
    const { f, finish, tags } = await fixture(ctx);
    f.mock.injectFault({ method: 'GET', path: '/api/v0/meta/settings', reset: true, times: 2 });
    f.mock.injectFault({ method: 'GET', path: '/api/v0/repositories', reset: true, times: 2 });
    f.mock.injectFault({ method: 'PUT', path: '/api/v0/crons/onlinegc', reset: true, times: 1 });
    const run = await runCli(['migrate', ...f.args, ...finish], { env: f.env });
    expect(run.code, run.stderr).toBe(0);
    await expectMigrated(f, tags);
    expect(statuses(f, 'GET', '/api/v0/meta/settings').slice(0, 3)).toEqual([0, 0, 200]);
    expect(statuses(f, 'GET', '/api/v0/repositories').slice(0, 3)).toEqual([0, 0, 200]);
    expect(statuses(f, 'PUT', '/api/v0/crons/onlinegc').slice(0, 2)).toEqual([0, 200]);
  }, 90_000);

  it('gives up on a read that keeps failing within a bounded time, then resumes', async (ctx) => {
    const { f, finish, tags } = await fixture(ctx);
    f.mock.injectFault({ method: 'GET', path: '/api/v0/jobs', status: 503, times: 1_000 });
    const started = Date.now();
    const failed = await runCli(['migrate', ...f.args, ...finish], { env: f.env, timeoutMs: 90_000 });
    const took = Date.now() - started;
    expectCleanFailure(failed, 1, /DTR answered GET \/api\/v0\/jobs\S* with HTTP 503/);
    expect(took).toBeLessThan(75_000);
    const tries = statuses(f, 'GET', '/api/v0/jobs').length;
    expect(tries).toBeGreaterThan(3);
    expect(tries).toBeLessThan(20); // backoff, not a tight loop
    expect((await journalOf(f.stateDir)).steps['disable-gc']?.status).toBe('failed');
    f.mock.clearFaults();
    const resumed = await runCli(['migrate', ...f.args, ...finish], { env: f.env });
    expect(resumed.code, resumed.stderr).toBe(0);
    await expectMigrated(f, tags);
  }, 150_000);
});

describe.concurrent('faults that stop a step', () => {
  it('a body that is not JSON is a contract failure, not retried; the resume completes', async (ctx) => {
    const { f, finish, tags } = await fixture(ctx);
    f.mock.injectFault({ method: 'GET', path: '/api/v0/jobs', status: 200, body: '{"jobs": [', times: 1 });
    const failed = await runCli(['migrate', ...f.args, ...finish], { env: f.env });
    expectCleanFailure(failed, 1, /DTR answered \/api\/v0\/jobs\S* with a body that is not JSON/, /→ .*--dtr-url/);
    expect((await journalOf(f.stateDir)).steps['disable-gc']?.status).toBe('failed');
    const resumed = await runCli(['migrate', ...f.args, ...finish], { env: f.env });
    expect(resumed.code, resumed.stderr).toBe(0);
    await expectMigrated(f, tags);
  });

  it('a job POST that fails is not retried blindly: one POST per run, one job in the end', async (ctx) => {
    const { f, finish, tags } = await fixture(ctx);
    f.mock.injectFault({ method: 'POST', path: '/api/v0/jobs', status: 500, times: 1 });
    const failed = await runCli(['migrate', ...f.args, ...finish], { env: f.env });
    expectCleanFailure(failed, 1, /DTR answered POST \/api\/v0\/jobs with HTTP 500/);
    expect(jobPosts(f.mock)).toBe(1);
    expect((await journalOf(f.stateDir)).steps['onlinegc-blobs']?.status).toBe('failed');
    const resumed = await runCli(['migrate', ...f.args, ...finish], { env: f.env });
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(jobPosts(f.mock)).toBe(2);
    expect(f.mock.state.jobs.filter((j) => j.action === 'onlinegc_blobs')).toHaveLength(1);
    await expectMigrated(f, tags);
  });

  it.for<MockJobFault>(['errored', 'canceled'])('a job that ends %s fails the step; the resume starts a new one', async (outcome, ctx) => {
    const { f, finish, tags } = await fixture(ctx);
    setJobFaults(f.mock.state, { outcome, action: 'onlinegc_blobs' });
    const failed = await runCli(['migrate', ...f.args, ...finish], { env: f.env });
    expectCleanFailure(failed, 1, new RegExp(`DTR job \\S+ \\(onlinegc_blobs\\) ended "${outcome}"`), /→ .*logs.*migrate/);
    expect((await journalOf(f.stateDir)).steps['onlinegc-blobs']?.status).toBe('failed');
    setJobFaults(f.mock.state, undefined);
    const resumed = await runCli(['migrate', ...f.args, ...finish], { env: f.env });
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(jobPosts(f.mock)).toBe(2);
    await expectMigrated(f, tags);
  });

  it('a job that never ends times out; once it ends, the resume follows the same job', async (ctx) => {
    const { f, finish, tags } = await fixture(ctx);
    setJobFaults(f.mock.state, { outcome: 'never', action: 'onlinegc_blobs' });
    const failed = await runCli(['migrate', ...f.args, ...finish, '--job-timeout', '2'], { env: f.env });
    expectCleanFailure(failed, 1, /DTR job \S+ is still "running" after/, /→ .*--job-timeout/);
    expect((await journalOf(f.stateDir)).steps['onlinegc-blobs']?.status).toBe('failed');
    // The stuck job finally finishes, as DTR's would once its worker comes back.
    const stuck = f.mock.state.jobs.find((j) => j.action === 'onlinegc_blobs');
    if (stuck === undefined) throw new Error('no onlinegc_blobs job was started');
    stuck.endsAt = Date.now();
    setJobFaults(f.mock.state, undefined);
    const resumed = await runCli(['migrate', ...f.args, ...finish], { env: f.env });
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(jobPosts(f.mock)).toBe(1);
    await expectMigrated(f, tags);
  });

  it('a run killed right after the job POST resumes by following that job: one POST in all', async (ctx) => {
    const { f, finish, tags } = await fixture(ctx);
    const run = runCli(['migrate', ...f.args, ...finish], {
      env: f.env,
      // DTR creates the job, and the client is gone before it hears the answer (its id never reached the journal).
      onSpawn: (child) => setJobFaults(f.mock.state, { action: 'onlinegc_blobs', times: 1, onCreate: () => child.kill('SIGKILL') }),
    });
    const killed = await run;
    expect(killed.signal).toBe('SIGKILL');
    const journal = await journalOf(f.stateDir);
    expect(journal.steps['onlinegc-blobs']?.status).toBe('running');
    expect(journal.steps['onlinegc-blobs']?.checkpoint?.['jobId']).toBeUndefined();
    const resumed = await runCli(['migrate', ...f.args, ...finish], { env: f.env });
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(jobPosts(f.mock)).toBe(1);
    expect(f.mock.state.jobs.filter((j) => j.action === 'onlinegc_blobs')).toHaveLength(1);
    await expectMigrated(f, tags);
  });
});
