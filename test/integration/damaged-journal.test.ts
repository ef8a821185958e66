/**
 * Journals that must not be used (damaged, of the wrong shape, from a newer dtr-migrate): refused with
 * exit 5 before DTR is reached, left byte for byte, no lock left behind. Through the CLI's entry point
 * in this process (cli-in-process.ts).
 */
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCliInProcess } from '../helpers/cli-in-process.js';
import { expectCleanFailure, longTestMs } from '../helpers/fault-checks.js';

describe('journals that must not be used', { timeout: longTestMs }, () => {
  const damaged: Array<[string, string, RegExp]> = [
    [
      'not JSON',
      '{"version": 1, "tool": "dtr-migrate", "steps": {',
      /journal .* is damaged \(not valid JSON\); it was left as it is/,
    ],
    [
      'of the wrong shape',
      JSON.stringify({ version: 1, tool: 'dtr-migrate', steps: { backup: { status: 'done?' } } }),
      /journal .* is damaged/,
    ],
    [
      'from a newer dtr-migrate',
      JSON.stringify({
        version: 2,
        tool: 'dtr-migrate',
        createdAt: '',
        updatedAt: '',
        procedure: 'x',
        inputs: {},
        steps: {},
      }),
      /written by a newer dtr-migrate \(journal version 2\)/,
    ],
  ];
  it.for(damaged)('refuses a journal %s with exit 5 and leaves it byte for byte', async ([, content, cause], ctx) => {
    const root = await mkdtemp(join(tmpdir(), 'dtr-migrate-journal-'));
    ctx.onTestFinished(() => rm(root, { recursive: true, force: true }));
    const journal = join(root, 'journal.json');
    await writeFile(journal, content, { mode: 0o600 });
    // DTR is never reached: the journal is read first.
    const args = ['migrate', '--state-dir', root, '--dtr-url', 'http://127.0.0.1:9', '--username', 'admin', '--yes'];
    const run = await runCliInProcess(args, { env: { DTR_TOKEN: 'tok-journal-test' } });
    expectCleanFailure(run, 5, cause, /→ .*(--state-dir|version that started it)/);
    expect(await readFile(journal, 'utf8')).toBe(content);
    expect(await readdir(root)).not.toContain('lock');
  });
});
