/**
 * Colours follow the terminal: with NO_COLOR or --no-color a terminal gets no colour codes (the
 * prompts included), and output redirected to a file gets no escape code at all.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, type TestContext } from 'vitest';
import { Tmux, cliCommand, type TmuxOptions } from '../../helpers/tmux.js';

/** A terminal of the test's own (each its own tmux server), closed when the test ends. */
async function terminal(ctx: TestContext, options: TmuxOptions): Promise<Tmux> {
  const tmux = await Tmux.start(options);
  ctx.onTestFinished(() => tmux.close());
  return tmux;
}

async function tempDir(ctx: TestContext): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'dtr-migrate-tty-'));
  ctx.onTestFinished(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

const rehearsal = ['rehearse'];
// In a terminal too, --yes takes the defaults of the questions (procedure, GC schedule) instead of asking.
const unattended = [...rehearsal, '--yes'];

// Side by side: each test is a rehearsal in its own terminal, mostly waiting on the mock's polls.
describe.concurrent('no escape codes where colour is not wanted', () => {
  it('NO_COLOR: a terminal run shows no colour', async (ctx) => {
    const tmux = await terminal(ctx, { env: { NO_COLOR: '1' } });
    await tmux.run(cliCommand(unattended));
    expect(await tmux.exitCode()).toBe(0);
    const screen = await tmux.screen({ escapes: true });
    expect(screen).toContain('Migration complete: every step verified.');
    expect(screen).not.toContain('\x1b');
  });

  it('--no-color: neither the wizard nor its prompts use colour', async (ctx) => {
    const tmux = await terminal(ctx, { env: { NO_COLOR: undefined } });
    await tmux.run(cliCommand([...rehearsal, '--no-color']));
    await tmux.waitFor('How should DTR 2.6.4 switch storage?');
    expect(await tmux.screen({ escapes: true })).not.toContain('\x1b');
    await tmux.press('Enter');
    await tmux.waitFor('Start now?');
    await tmux.press('Enter');
    const [, replica] = await tmux.waitFor(/Type the replica id ([0-9a-f]{12}) to destroy/);
    await tmux.type(replica ?? '');
    await tmux.press('Enter');
    await tmux.waitFor('Put the GC schedule back as it was before the migration?');
    await tmux.press('Enter');
    expect(await tmux.exitCode()).toBe(0);
    const screen = await tmux.screen({ escapes: true });
    expect(screen).toContain('Migration complete: every step verified.');
    expect(screen).not.toContain('\x1b');
  });

  it('output redirected to a file: no escape code in it, though the terminal allows colours', async (ctx) => {
    const dir = await tempDir(ctx);
    const tmux = await terminal(ctx, { env: { NO_COLOR: undefined } });
    const file = join(dir, 'rehearsal.log');
    await tmux.run(cliCommand(unattended, `> ${file} 2>&1`));
    expect(await tmux.exitCode()).toBe(0);
    const text = await readFile(file, 'utf8');
    expect(text).toContain('About to destroy');
    expect(text).toContain('Migration complete: every step verified.');
    expect(text).not.toContain('\x1b');
  });

  // Colour needs both stderr and stdout to be terminals (main.ts): the summary on stdout, redirected,
  // must not get codes because stderr is still a terminal.
  it('stdout alone redirected to a file: no escape code in it', async (ctx) => {
    const dir = await tempDir(ctx);
    const tmux = await terminal(ctx, { env: { NO_COLOR: undefined } });
    const file = join(dir, 'summary.txt');
    await tmux.run(cliCommand(unattended, `> ${file}`));
    expect(await tmux.exitCode()).toBe(0);
    const text = await readFile(file, 'utf8');
    expect(text).toContain('Migration complete: every step verified.');
    expect(text).not.toContain('\x1b');
  });
});
