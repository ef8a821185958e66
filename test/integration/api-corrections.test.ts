/**
 * What DTR's own API specification and sources correct (shared/reference/dtr-api.md, section 11), each
 * in a migration run in this process against the mock DTR, which now follows the specification: the GC
 * schedule written with POST, job statuses beyond the specification's five, the GC actions, the GC lock
 * and read-only mode per replica from cluster_status, and the version from DTR's API.
 */
import { describe, expect, it } from 'vitest';
import { newCron } from '../../src/mock-dtr/state.js';
import type { RecordedRequest } from '../../src/mock-dtr/types.js';
import { FakeDocker } from '../helpers/fake-docker.js';
import { confirmed, journalOf, migrateInProcess } from '../helpers/in-process.js';
import { fixturesClosedAfterEach, type MigrationFixture } from '../helpers/mock-migration.js';

const fixture = fixturesClosedAfterEach();
const calls = (f: MigrationFixture, method: string, path: string): RecordedRequest[] =>
  f.mock.requests.filter((r) => r.method === method && r.path === path);
const cronFields = { retries: 0, capacityMap: {}, parameters: {}, deadline: '', stopTimeout: '' };

describe('the GC schedule', () => {
  it('is put back with POST /api/v0/crons, a descriptor such as @hourly included', async () => {
    const f = await fixture({ gcSchedule: '@hourly' });
    const run = await migrateInProcess(f, { yes: true, flags: confirmed(f) });
    expect(run.error?.message).toBeUndefined();
    expect(f.mock.state.crons.map((c) => [c.action, c.schedule])).toEqual([['onlinegc', '@hourly']]);
    expect(calls(f, 'POST', '/api/v0/crons').map((r) => r.status)).toEqual([202]);
    expect(f.mock.requests.filter((r) => r.method === 'PUT')).toEqual([]);
  });

  it('leaves onlinegc_joblogs alone, and turns off (then restores) the gc action of DTR 2.5', async () => {
    const f = await fixture({ version: '2.5.14', gcSchedule: null });
    const now = Date.now();
    f.mock.state.crons.push(
      newCron({ action: 'gc', schedule: '0 0 2 * * 0', ...cronFields }, now),
      newCron({ action: 'onlinegc_joblogs', schedule: '@daily', ...cronFields }, now),
    );
    // A job-log pruning that runs for ever must not be waited for.
    f.mock.state.jobs.push({
      id: 'c0ffee00-0000-4000-8000-000000000001',
      action: 'onlinegc_joblogs',
      workerID: f.mock.replicaId,
      parameters: {},
      scheduledAt: now,
      runningAt: now,
      endsAt: 8.64e15,
      outcome: 'done',
    });
    const run = await migrateInProcess(f, { yes: true, flags: { ...confirmed(f), jobTimeout: 5 } });
    expect(run.error?.message).toBeUndefined();
    expect(calls(f, 'DELETE', '/api/v0/crons/gc')).toHaveLength(1);
    expect(calls(f, 'DELETE', '/api/v0/crons/onlinegc_joblogs')).toEqual([]);
    expect(f.mock.state.crons.map((c) => c.action).sort()).toEqual(['gc', 'onlinegc_joblogs']);
  });
});

describe('jobs', () => {
  it('goes on when the jobs of the destroyed replica come back worker_dead', async () => {
    const f = await fixture();
    const now = Date.now();
    // Running when the backup is taken: after the restore its worker is gone.
    f.mock.state.jobs.push({
      id: 'c0ffee00-0000-4000-8000-000000000002',
      action: 'update_vuln_db',
      workerID: f.mock.replicaId,
      parameters: {},
      scheduledAt: now,
      runningAt: now,
      endsAt: 8.64e15,
      outcome: 'done',
    });
    const run = await migrateInProcess(f, { yes: true, flags: confirmed(f) });
    expect(run.error?.message).toBeUndefined();
    const listed = f.mock.requests
      .filter((r) => r.path === '/api/v0/jobs' && r.method === 'GET')
      .flatMap((r) => (r.answer as { jobs?: Array<{ status: string }> }).jobs ?? []);
    expect(listed.map((job) => job.status)).toContain('worker_dead');
  });
});

describe('cluster status', () => {
  it('waits while a garbage collection holds the GC lock, and a later run stops before the gate while one does', async () => {
    const f = await fixture();
    f.mock.state.gcLockHolder = 'replica 0a0b0c0d0e0f';
    const waited = await migrateInProcess(f, { yes: true, flags: { jobTimeout: 1 } });
    expect(waited.error?.message).toMatch(/still running after 1s: .*holds DTR's GC lock \(replica 0a0b0c0d0e0f\)/);
    delete f.mock.state.gcLockHolder;
    const toGate = await migrateInProcess(f, { yes: true });
    expect(toGate.error?.code).toBe('CONFIRMATION_REQUIRED');
    f.mock.state.gcLockHolder = 'replica 0a0b0c0d0e0f';
    // The verified disable-gc is checked again before the run moves on: GC at work stops it there.
    const locked = await migrateInProcess(f, { yes: true, flags: confirmed(f) });
    expect(locked.error?.code).toBe('VERIFY_FAILED');
    expect(locked.error?.message).toMatch(/holds DTR's GC lock/);
    expect(f.mock.state.installed).toBe(true);
    expect((await journalOf(f)).steps['restore']?.checkpoint?.['destroyStartedAt']).toBeUndefined();
  });

  it('confirms read-only mode on every replica, not only in the settings', async () => {
    const f = await fixture();
    f.mock.state.replicasIgnoringReadOnly = [f.mock.replicaId];
    const run = await migrateInProcess(f, { yes: true, flags: { ...confirmed(f), procedure: 'read-only' } });
    expect(run.error?.message).toMatch(
      new RegExp(`read-only mode is not on everywhere: replica ${f.mock.replicaId} reports read-only mode off`),
    );
  });
});

describe('the version', () => {
  const hostDown = {
    when: /^container inspect/,
    answer: { exitCode: 1, stderr: 'Cannot connect to the Docker daemon' },
  };

  it("comes from DTR's API when the docker host cannot be asked", async () => {
    const f = await fixture({ version: '2.7.8' });
    const run = await migrateInProcess(f, {
      yes: true,
      dryRun: true,
      flags: { dtrVersion: undefined },
      docker: new FakeDocker([hostDown]),
    });
    expect(run.error?.message).toBeUndefined();
    const start = run.io.events.find((e) => e.event === 'run-start');
    expect(start?.event === 'run-start' && start.detected[0]).toMatch(/version 2\.7\.8 \(from DTR's API/);
  });

  it('from the docker host must be the one DTR reports, or they are not the same DTR', async () => {
    const f = await fixture();
    const otherDtr = {
      when: /^container inspect --format \{\{json \.Config\.Env\}\}/,
      answer: { stdout: JSON.stringify(['DTR_VERSION=2.7.1']) },
    };
    const run = await migrateInProcess(f, {
      yes: true,
      dryRun: true,
      flags: { dtrVersion: undefined },
      docker: new FakeDocker([otherDtr]),
    });
    expect(run.code).toBe(2);
    expect(run.error?.message).toMatch(
      /reports version 2\.6\.4 .*runs DTR 2\.7\.1: --dtr-url and the docker host are not the same DTR/,
    );
  });
});
