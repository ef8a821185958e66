/**
 * `status` calls a migration complete only after asking DTR, never on the journal's word (issue 12): a
 * journal edited to say every step is verified, while DTR still serves the old storage, is contradicted;
 * without the token it says it could not check. The migration is brought to the gate in this process;
 * status runs as the real CLI.
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { migrateInProcess } from '../helpers/in-process.js';
import { migrationFixture, stepOrder, type MigrationFixture } from '../helpers/mock-migration.js';

let f: MigrationFixture | undefined;
afterEach(async () => {
  await f?.close();
  f = undefined;
});

describe('status', () => {
  it("finds this DTR's migration from any folder, in the user's state directory, without --state-dir", async () => {
    f = await migrationFixture();
    const home = await mkdtemp(join(tmpdir(), 'state-home-'));
    const [here, there] = [join(home, 'here'), join(home, 'there')];
    await Promise.all([mkdir(here), mkdir(there)]);
    const env = { ...f.env, XDG_STATE_HOME: join(home, 'state') };
    const at = f.args.indexOf('--state-dir');
    const args = [...f.args.slice(0, at), ...f.args.slice(at + 2)];
    const first = await runCli(['migrate', ...args, '--yes'], { env, cwd: here });
    expect(first.code, first.stderr).toBe(6);
    const status = await runCli(['status', '--dtr-url', f.mock.url], { env, cwd: there });
    const dir = join(home, 'state', 'dtr-migrate', new URL(f.mock.url).host.replace(':', '_'));
    expect(status.stdout).toContain(`Migration in ${dir}`);
    expect(status.stdout).toContain('Next: Destroy and restore DTR on the new storage');
    await rm(home, { recursive: true, force: true });
  });

  it('does not call complete a migration the journal claims but DTR contradicts, nor one it could not check', async () => {
    f = await migrationFixture();
    expect((await migrateInProcess(f, { yes: true })).code).toBe(6);
    const file = join(f.stateDir, 'journal.json');
    const journal = JSON.parse(await readFile(file, 'utf8')) as { steps: Record<string, { status: string }> };
    for (const id of stepOrder) journal.steps[id]!.status = 'verified';
    await writeFile(file, JSON.stringify(journal));

    const args = ['status', '--state-dir', f.stateDir, '--docker-bin', f.mock.dockerBin];
    const contradicted = await runCli(args, { env: f.env });
    expect(contradicted.code, contradicted.stderr).toBe(1);
    expect(contradicted.stdout).toContain('does not show the migration done');
    expect(contradicted.stdout).toContain(`DTR serves images from ${f.source}, not ${f.target}`);
    expect(contradicted.stdout).not.toContain('The migration is complete');

    const unchecked = await runCli(args, { env: { ...f.env, DTR_TOKEN: undefined } });
    expect(unchecked.code, unchecked.stderr).toBe(0);
    expect(unchecked.stdout).toContain('DTR could not be checked (DTR_TOKEN');
    expect(unchecked.stdout).not.toContain('The migration is complete');
  });
});
