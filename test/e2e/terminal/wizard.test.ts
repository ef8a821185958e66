/**
 * The wizard in a real terminal (tmux, 80 columns, colours on): the welcome screen with what was
 * detected and the locked steps, the one question before the first change, the destroy confirmation with
 * what protects the data, a wrong replica id asked again and the third refused (exit 6, nothing
 * destroyed), and a run typed right to the end.
 */
import { describe, expect, it, type TestContext } from 'vitest';
import { Tmux, cliCommand, type TmuxOptions } from '../../helpers/tmux.js';

const rehearsal = ['rehearse'];

/** A terminal of the test's own (each its own tmux server), closed when the test ends. */
async function terminal(ctx: TestContext, options: TmuxOptions): Promise<Tmux> {
  const tmux = await Tmux.start(options);
  ctx.onTestFinished(() => tmux.close());
  return tmux;
}

/** The screen with every run of blanks as one space, so text wrapped to fit reads as one line. */
const flat = (screen: string): string => screen.replace(/\s+/g, ' ');

/** Starts a rehearsal, picks the default procedure, and waits for the replica id to be asked. */
async function untilDestroyPrompt(t: Tmux): Promise<string> {
  await t.run(cliCommand(rehearsal));
  await t.waitFor('How should DTR 2.6.4 switch storage?');
  await t.press('Enter');
  // Asked once, after the overview and before the first change.
  await t.waitFor('Start now? The first change: Disable garbage collection.');
  await t.press('Enter');
  const [, replica] = await t.waitFor(/Type the replica id ([0-9a-f]{12}) to destroy/);
  return replica ?? '';
}

// Side by side: each test is a rehearsal in its own terminal, mostly waiting on the mock's polls.
describe.concurrent('the wizard in a terminal', () => {
  it('shows what it detected and the locked steps, the protections, and refuses a wrong replica id', async (ctx) => {
    const tmux = await terminal(ctx, { columns: 80, env: { NO_COLOR: undefined } });
    const replica = await untilDestroyPrompt(tmux);
    const screen = await tmux.screen();
    const text = flat(screen);

    // Before anything changed: what was detected, with where it came from, and the steps as a checklist.
    expect(text).toContain('Detected before anything changes:');
    expect(text).toMatch(
      /· DTR http:\/\/127\.0\.0\.1:\d+, version 2\.6\.4 \(from the dtr-registry-[0-9a-f]{12} container\)/,
    );
    expect(text).toContain(`· replica ${replica}: OK`);
    expect(text).toMatch(/· current storage: \S+source-storage/);
    expect(text).toContain('· GC schedule: onlinegc');
    expect(text).toContain('· read-only mode: off');
    expect(text).toContain('▸ 1. Disable garbage collection (next)');
    expect(text).toContain(
      '○ 4. Destroy and restore DTR on the new storage (locked until the steps before are verified)',
    );
    expect(text).toContain('○ 6. Put the GC schedule back (locked until the steps before are verified)');
    // Each step says what it does, then ticks off with its check's facts.
    expect(text).toContain('▸ Step 2 of 6: Back up DTR metadata Save tags, repositories and settings');
    expect(text).toMatch(/✔ Copy the storage \(.+?\) \d+ files, .+ in the new storage/);

    // The destroy confirmation: what goes, what protects the data (the backup's full sha256 among it).
    const box = flat(
      screen.slice(screen.indexOf('About to destroy'), screen.lastIndexOf('Type the replica id')).replace(/^│ +/gm, ''),
    );
    expect(box).toContain(`! DTR replica ${replica}: its containers and volumes`);
    expect(box).toContain('What protects the data');
    expect(box).toMatch(/✔ backup \S+\/backup-\S+\.tar: [\d.]+ KiB, sha256 [0-9a-f]{64} \(re-checked just now\)/);
    expect(box).toContain('✔ garbage collection is off');

    // Laid out for 80 columns: no line of ours relies on the terminal wrapping it (-J joins those).
    const ours = screen.slice(screen.indexOf('Storage migration'));
    for (const line of ours.split('\n').filter((l) => !l.startsWith('✔ How should') && !l.startsWith('? Type')))
      expect([...line].length, line).toBeLessThanOrEqual(80);
    // Colours on a terminal when nothing says otherwise.
    expect(await tmux.screen({ escapes: true })).toContain('\x1b[3'); // a foreground colour

    // A typo is asked again; the third one ends the run, having destroyed nothing.
    for (const left of ['2 more tries', '1 more try', undefined]) {
      await tmux.type('000000000000');
      await tmux.press('Enter');
      if (left !== undefined) await tmux.waitFor(`That does not match ${replica}; nothing was destroyed. ${left}.`);
    }
    expect(await tmux.exitCode()).toBe(6);
    expect(flat(await tmux.screen())).toContain(`does not match ${replica}; nothing was destroyed`);
  });

  it('completes when the replica id is typed, and ends with the summary', async (ctx) => {
    const tmux = await terminal(ctx, { columns: 100, env: { NO_COLOR: undefined } });
    const replica = await untilDestroyPrompt(tmux);
    await tmux.type(replica);
    await tmux.press('Enter');
    await tmux.waitFor('Put the GC schedule back as it was before the migration?');
    await tmux.press('Enter');
    expect(await tmux.exitCode()).toBe(0);
    const text = flat(await tmux.screen());
    expect(text).toContain('Migration complete: every step verified.');
    for (const [n, title] of [
      'Disable garbage collection',
      'Back up DTR metadata',
      'Copy the storage',
      'Destroy and restore DTR on the new storage',
      'Delete unreferenced blobs',
      'Put the GC schedule back',
    ].entries()) {
      expect(text).toMatch(new RegExp(`✔ ${n + 1}\\. ${title} \\(`));
    }
    expect(text).toContain('Rehearsal check: all 4 tags present after the migration, same digests.');
  });
});
