/**
 * Through a real process: SIGTERM and SIGHUP stop a run as Ctrl-C does (clean stop at the next safe
 * point, lock released, the journal says interrupted, exit 128 + the signal's number with the resume
 * hint), and a FIFO at journal.json is refused at once instead of hanging the CLI (issue 12).
 */
import { execFileSync } from 'node:child_process';
import { access, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it, type TestContext } from 'vitest';
import { jsonEvents, runCli } from '../helpers/cli.js';
import { migrationFixture, readJournal } from '../helpers/mock-migration.js';

const exists = (path: string): Promise<boolean> =>
  access(path).then(
    () => true,
    () => false,
  );

describe.concurrent('stopping a run', () => {
  for (const [signal, code] of [
    ['SIGTERM', 130],
    ['SIGHUP', 129],
  ] as const) {
    it(`${signal} stops it cleanly at the next safe point: exit ${code}, lock released, resumable`, async (ctx: TestContext) => {
      // A GC job runs for minutes: the first step waits for it, and that wait is where the signal comes.
      const f = await migrationFixture({ runningGcJobMs: 120_000 });
      ctx.onTestFinished(() => f.close());
      let sent = false;
      const run = await runCli(['migrate', ...f.args, '--yes', '--json'], {
        env: f.env,
        onOutput: (text, child) => {
          if (!sent && text.includes('waiting for GC job')) {
            sent = true;
            child.kill(signal);
          }
        },
      });
      expect(sent).toBe(true);
      expect(run.signal).toBeNull();
      expect(run.code, run.stderr).toBe(code);
      expect(jsonEvents(run.stdout).at(-1)).toMatchObject({
        exitCode: code,
        error: { code: 'INTERRUPTED', hint: 'Run the same command again to resume where it stopped.' },
      });
      expect(await exists(join(f.stateDir, 'lock'))).toBe(false);
      expect((await readJournal(f.stateDir)).steps['disable-gc']?.status).toBe('interrupted');
    });
  }

  it('refuses a FIFO at journal.json at once, and leaves no lock', async (ctx: TestContext) => {
    const f = await migrationFixture();
    ctx.onTestFinished(() => f.close());
    await mkdir(f.stateDir, { recursive: true });
    execFileSync('mkfifo', [join(f.stateDir, 'journal.json')]);
    const run = await runCli(['migrate', ...f.args, '--yes'], { env: f.env, timeoutMs: 20_000 });
    expect(run.signal).toBeNull();
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`${join(f.stateDir, 'journal.json')} is a FIFO, not a regular file`);
    expect(await exists(join(f.stateDir, 'lock'))).toBe(false);
    expect(f.mock.state.crons).toHaveLength(1);
  });
});
