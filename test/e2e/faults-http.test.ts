/**
 * A run killed (SIGKILL) right after DTR created the job it POSTed, through the real CLI against the
 * mock DTR: the resume recognises that job and follows it, one POST in all, also with DTR's clock
 * behind ours. The other HTTP and job faults are in test/integration/faults-http.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { setJobFaults } from '../../src/mock-dtr/faults.js';
import { expectMigrated, faultFixture, jobPosts, journalOf, longTestMs, runLong } from '../helpers/fault-checks.js';

describe.concurrent('HTTP and job faults', { timeout: longTestMs }, () => {
  // DTR's clock may differ from ours: the job it started must be recognised all the same.
  it.for<[string, number]>([
    ['', 0],
    [", with DTR's clock ten minutes behind", -600_000],
  ])(
    'a run killed right after the job POST resumes by following that job: one POST in all%s',
    async ([, skewMs], ctx) => {
      const { f, finish, tags } = await faultFixture(ctx, { now: () => Date.now() + skewMs });
      const killed = await runLong(['migrate', ...f.args, ...finish], {
        env: f.env,
        // DTR creates the job, and the client is gone before it hears the answer (its id never reached the journal).
        onSpawn: (child) =>
          setJobFaults(f.mock.state, { action: 'onlinegc_blobs', times: 1, onCreate: () => child.kill('SIGKILL') }),
      });
      expect(killed.signal).toBe('SIGKILL');
      const journal = await journalOf(f.stateDir);
      expect(journal.steps['onlinegc-blobs']?.status).toBe('running');
      expect(journal.steps['onlinegc-blobs']?.checkpoint?.['jobId']).toBeUndefined();
      // SIGKILL left its lock behind: taking it over is the operator's explicit choice.
      const resumed = await runLong(['migrate', ...f.args, ...finish, '--take-over-lock'], { env: f.env });
      expect(resumed.code, resumed.stderr).toBe(0);
      expect(jobPosts(f.mock)).toBe(1);
      expect(f.mock.state.jobs.filter((j) => j.action === 'onlinegc_blobs')).toHaveLength(1);
      await expectMigrated(f, tags);
    },
  );
});
