/**
 * The --json contract: the whole stream of plan, migrate (a failed run, then the run that finishes),
 * status, verify, report and storage copy/verify validates against the shipped schema
 * (schema/events.schema.json); the rehearsal's is checked in report.test.ts. Facts a CI job reads are
 * fields, not only sentences. Through the CLI's entry point in this process (cli-in-process.ts): the
 * stream is what main() writes to its stdout, whichever process it runs in.
 */
import { access, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setBootstrapperFaults } from '../../src/mock-dtr/faults.js';
import { expectValidStream, isValidEvent, type StreamEvent } from '../helpers/event-schema.js';
import { runCliInProcess } from '../helpers/cli-in-process.js';
import { finishArgs, longTestMs } from '../helpers/fault-checks.js';
import { migrationFixture, type MigrationFixture } from '../helpers/mock-migration.js';

const ofKind = (events: StreamEvent[], kind: string): StreamEvent[] => events.filter((e) => e.event === kind);

describe('--json events validate against schema/events.schema.json', () => {
  let f: MigrationFixture;
  beforeAll(async () => {
    f = await migrationFixture();
  });
  afterAll(async () => {
    await f.close();
  });

  it(
    'plan, a failing migrate, the migrate that finishes, status, verify and report',
    async () => {
      const plan = expectValidStream((await runCliInProcess(['plan', ...f.args, '--json'], { env: f.env })).stdout);
      expect(plan[0]?.['command']).toBe('plan');
      expect(ofKind(plan, 'step-plan').length).toBeGreaterThan(0);

      setBootstrapperFaults(f.mock.state, { backup: 'exit' });
      const failing = await runCliInProcess(['migrate', ...f.args, ...(await finishArgs(f)), '--json'], { env: f.env });
      setBootstrapperFaults(f.mock.state, undefined);
      expect(failing.code).toBe(1);
      const failed = expectValidStream(failing.stdout);
      expect(ofKind(failed, 'step-failed')[0]).toMatchObject({ id: 'backup', code: 'DOCKER_FAILED' });
      expect(failed.at(-1)).toMatchObject({ ok: false, exitCode: 1, error: { code: 'DOCKER_FAILED' } });
      // The report is written as the run goes, a failed one too.
      await access(String(failed.at(-1)?.['report']));

      const finishing = await runCliInProcess(['migrate', ...f.args, ...(await finishArgs(f)), '--json'], {
        env: f.env,
      });
      expect(finishing.code, finishing.stderr).toBe(0);
      const done = expectValidStream(finishing.stdout);
      const backup = ofKind(done, 'step-done').find((e) => e['id'] === 'backup');
      expect(backup?.['data']).toMatchObject({ backup: { sha256: expect.stringMatching(/^[0-9a-f]{64}$/) } });
      const restore = ofKind(done, 'step-done').find((e) => e['id'] === 'restore');
      expect(restore?.['data']).toMatchObject({ tags: { missing: 0, changed: 0 } });
      expect(ofKind(done, 'progress').every((e) => typeof e['text'] === 'string')).toBe(true);

      const status = expectValidStream((await runCliInProcess(['status', '--state-dir', f.stateDir, '--json'])).stdout);
      expect(ofKind(status, 'status')[0]).toMatchObject({ started: true, next: null });

      const verify = await runCliInProcess(['verify', ...f.args, '--json'], { env: f.env });
      expect(expectValidStream(verify.stdout).at(-1)).toMatchObject({ ok: true, exitCode: 0 });

      const report = await runCliInProcess(['report', '--state-dir', f.stateDir, '--json']);
      expect(expectValidStream(report.stdout).at(-1)).toMatchObject({
        ok: true,
        report: join(f.stateDir, 'report.html'),
      });
    },
    longTestMs,
  );

  it("storage copy and verify, with their progress in the same shape as the steps'", async () => {
    const target = await mkdtemp(join(tmpdir(), 'json-storage-'));
    try {
      const copy = await runCliInProcess(['storage', 'copy', '--from', f.source, '--to', target, '--json']);
      expect(copy.code, copy.stderr).toBe(0);
      const events = expectValidStream(copy.stdout);
      expect(events[0]?.['command']).toBe('storage copy');
      expect(ofKind(events, 'progress')[0]).toMatchObject({ id: 'storage', phase: expect.any(String) });
      expect(events.at(-1)).toMatchObject({ ok: true, verify: { ok: true } });
      const verify = await runCliInProcess(['storage', 'verify', '--from', f.source, '--to', target, '--json']);
      expect(expectValidStream(verify.stdout).at(-1)).toMatchObject({ ok: true, verify: { ok: true } });
    } finally {
      await rm(target, { recursive: true, force: true });
    }
  });

  it('a failure before any step still opens with start and ends with result', async () => {
    const run = await runCliInProcess(['report', '--state-dir', join(f.root, 'nowhere'), '--json']);
    expect(run.code).toBe(2);
    expect(expectValidStream(run.stdout).at(-1)).toMatchObject({ ok: false, error: { code: 'USAGE' } });
  });

  it('the schema refuses what the contract does not say: an unknown field, a missing time, a sentence for a number', () => {
    const start = {
      event: 'start',
      time: '2026-01-01T00:00:00.000Z',
      schemaVersion: 1,
      tool: 'dtr-migrate',
      version: '0.1.0',
      command: 'migrate',
    };
    expect(isValidEvent(start)).toBe(true);
    expect(isValidEvent({ ...start, surprise: true })).toBe(false);
    expect(isValidEvent({ ...start, time: undefined })).toBe(false);
    expect(isValidEvent({ event: 'progress', time: start.time, id: 'backup', text: 'x', files: 'many' })).toBe(false);
  });
});
