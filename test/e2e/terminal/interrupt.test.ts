/**
 * Ctrl-C in a real terminal while a step works (the onlinegc_blobs job is being followed): the run
 * stops with the resume hint and exit code 130, and `migrate` run again in a new window resumes at
 * that step, follows the same job instead of starting another, and completes.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { migrationFixture, readJournal, type MigrationFixture } from '../../helpers/mock-migration.js';
import { Tmux, cliCommand } from '../../helpers/tmux.js';

let tmux: Tmux | undefined;
let fixture: MigrationFixture | undefined;
afterEach(async () => {
  await tmux?.close();
  await fixture?.close();
  tmux = undefined;
  fixture = undefined;
});

async function until(condition: () => boolean | Promise<boolean>, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('Ctrl-C in a terminal', () => {
  it('stops a step with the resume hint and exit 130; the same command resumes and completes', async () => {
    const f = (fixture = await migrationFixture({ jobDurationMs: 8_000 }));
    const blobJobs = (): number => f.mock.state.jobs.filter((j) => j.action === 'onlinegc_blobs').length;
    tmux = await Tmux.start({ env: f.env });
    const command = cliCommand(['migrate', ...f.args, '--procedure', 'best-practice', '--restore-gc']);
    await tmux.run(command);
    await tmux.waitFor('Start now? The first change: Disable garbage collection.');
    await tmux.press('Enter');
    await tmux.waitFor(`Type the replica id ${f.mock.replicaId} to destroy`);
    await tmux.type(f.mock.replicaId);
    await tmux.press('Enter');
    await tmux.waitFor('Step 5 of 6: Delete unreferenced blobs');
    // The job is started and its id journaled: the step is now following it.
    await until(
      async () => blobJobs() === 1 && (await readJournal(f.stateDir)).steps['onlinegc-blobs']?.status === 'running',
      'the onlinegc_blobs job runs',
    );
    await tmux.press('C-c');
    expect(await tmux.exitCode()).toBe(130);
    const stopped = (await tmux.screen()).replace(/\s+/g, ' ');
    expect(stopped).toContain('✖ Delete unreferenced blobs failed');
    expect(stopped).toContain('Run the same command again to resume where it stopped.');
    expect(stopped).toContain(`Resume with the same command (state: ${f.stateDir})`);
    expect((await readJournal(f.stateDir)).steps['onlinegc-blobs']?.status).toBe('interrupted');

    await tmux.newWindow();
    await tmux.run(command);
    await tmux.waitFor('Start now? The first change: Delete unreferenced blobs.');
    await tmux.press('Enter');
    expect(await tmux.exitCode()).toBe(0);
    const resumed = (await tmux.screen()).replace(/\s+/g, ' ');
    expect(resumed).toContain('Resuming the storage migration (best-practice)');
    expect(resumed).toContain('✔ 4. Destroy and restore DTR on the new storage (verified)');
    expect(resumed).toContain('▸ 5. Delete unreferenced blobs (interrupted before: resumes here)');
    expect(resumed).toContain('↷ Destroy and restore DTR on the new storage (verified in an earlier run)');
    expect(resumed).toContain('Migration complete: every step verified.');
    // It followed the job the first run started rather than starting a second one.
    expect(blobJobs()).toBe(1);
    expect(f.mock.state.storage).toEqual({ kind: 'path', path: f.target });
  });
});
