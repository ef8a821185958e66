/**
 * `dtr-migrate completion bash|zsh`: scripts generated from the commander program. The bash one is
 * checked by bash itself (`bash -n`), then sourced and asked, as bash would, with COMP_WORDS and
 * COMP_CWORD set; the zsh one is syntax-checked when zsh is installed.
 */
import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../helpers/cli.js';

const exec = promisify(execFile);

const hasZsh = ((): boolean => {
  try {
    execFileSync('zsh', ['-c', 'true'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

async function script(shell: string): Promise<string> {
  const run = await runCli(['completion', shell]);
  expect(run.stderr).toBe('');
  expect(run.code).toBe(0);
  return run.stdout;
}

/** What bash would offer after `words` (the last one being completed). */
async function complete(bashScript: string, words: readonly string[]): Promise<string[]> {
  const program = `${bashScript}
COMP_WORDS=(${words.map((w) => `'${w}'`).join(' ')}); COMP_CWORD=${words.length - 1}
_dtr_migrate
printf '%s\\n' "\${COMPREPLY[@]}"`;
  const { stdout } = await exec('bash', ['--norc', '--noprofile', '-c', program]);
  return stdout.split('\n').filter((line) => line !== '');
}

describe('dtr-migrate completion', () => {
  it('prints a valid bash script that completes commands, subcommands, options and their values', async () => {
    const bash = await script('bash');
    await exec('bash', ['-n', '-c', bash]);
    expect(bash).toContain('complete -o default -F _dtr_migrate dtr-migrate');

    const commands = await complete(bash, ['dtr-migrate', '']);
    expect(commands).toEqual(
      expect.arrayContaining(['migrate', 'rehearse', 'plan', 'status', 'verify', 'storage', 'mock-dtr', 'completion']),
    );
    expect(await complete(bash, ['dtr-migrate', 're'])).toEqual(['report', 'rehearse']);
    expect(await complete(bash, ['dtr-migrate', 'migrate', '--dtr-'])).toEqual(['--dtr-url', '--dtr-version']);
    expect(await complete(bash, ['dtr-migrate', 'storage', ''])).toEqual(expect.arrayContaining(['copy', 'verify']));
    // Options of a subcommand, the program's options still offered after it; values skipped on the way.
    const copy = await complete(bash, ['dtr-migrate', '--state-dir', 'storage', 'storage', 'copy', '--']);
    expect(copy).toEqual(expect.arrayContaining(['--from', '--to', '--checksum', '--dry-run', '--json']));
    expect(copy).not.toContain('--against');
    expect(await complete(bash, ['dtr-migrate', 'migrate', '--pull-check', ''])).toEqual([
      'none',
      'head',
      'sample',
      'full',
    ]);
    expect(await complete(bash, ['dtr-migrate', 'completion', ''])).toEqual(expect.arrayContaining(['bash', 'zsh']));
    // After an option that takes a free value: nothing from us, so bash falls back to file names.
    expect(await complete(bash, ['dtr-migrate', 'migrate', '--dtr-url', ''])).toEqual([]);
  });

  it.skipIf(!hasZsh)('prints a zsh script zsh accepts', async () => {
    const zsh = await script('zsh');
    expect(zsh.startsWith('#compdef dtr-migrate\n')).toBe(true);
    await exec('zsh', ['-n', '-c', zsh]);
    expect(zsh).toContain("'migrate:run the migration wizard");
    expect(zsh).toContain("'--dtr-url:DTR base URL");
  });

  it('refuses a shell it does not know', async () => {
    const run = await runCli(['completion', 'fish']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('bash, zsh');
  });
});
