/**
 * `status` calls a migration complete only after asking DTR, never on the journal's word (issue 12): a
 * journal edited to say every step is verified, while DTR still serves the old storage, is contradicted;
 * without the token it says it could not check. The migration is brought to the gate in this process,
 * and status runs through the CLI's entry point here too (cli-in-process.ts).
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCliInProcess } from '../helpers/cli-in-process.js';
import { migrateInProcess } from '../helpers/in-process.js';
import { migrationFixture, stepOrder, type MigrationFixture } from '../helpers/mock-migration.js';

let f: MigrationFixture | undefined;
afterEach(async () => {
  await f?.close();
  f = undefined;
});

describe('status', () => {
  it('does not call complete a migration the journal claims but DTR contradicts, nor one it could not check', async () => {
    f = await migrationFixture();
    expect((await migrateInProcess(f, { yes: true })).code).toBe(6);
    const file = join(f.stateDir, 'journal.json');
    const journal = JSON.parse(await readFile(file, 'utf8')) as { steps: Record<string, { status: string }> };
    for (const id of stepOrder) journal.steps[id]!.status = 'verified';
    await writeFile(file, JSON.stringify(journal));

    const args = ['status', '--state-dir', f.stateDir, '--docker-bin', f.mock.dockerBin];
    const contradicted = await runCliInProcess(args, { env: f.env });
    expect(contradicted.code, contradicted.stderr).toBe(1);
    expect(contradicted.stdout).toContain('does not show the migration done');
    expect(contradicted.stdout).toContain(`DTR serves images from ${f.source}, not ${f.target}`);
    expect(contradicted.stdout).not.toContain('The migration is complete');

    const unchecked = await runCliInProcess(args, { env: { ...f.env, DTR_TOKEN: undefined } });
    expect(unchecked.code, unchecked.stderr).toBe(0);
    expect(unchecked.stdout).toContain('DTR could not be checked (DTR_TOKEN');
    expect(unchecked.stdout).not.toContain('The migration is complete');
  });
});
