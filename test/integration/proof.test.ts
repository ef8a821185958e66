/**
 * Proof that nothing is lost: restore stays locked while the new storage lacks anything a tag needs,
 * and the run that follows copies it again, checks again, and only then destroys. Through the CLI's
 * entry point in this process (cli-in-process.ts).
 */
import { readFile, rm } from 'node:fs/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { blobPath } from '../../src/inventory/storage-manifests.js';
import { runCliInProcess } from '../helpers/cli-in-process.js';
import { migrationFixture, readJournal, type MigrationFixture } from '../helpers/mock-migration.js';

let fixture: MigrationFixture | undefined;
afterEach(async () => {
  await fixture?.close();
  fixture = undefined;
});

describe('restore is locked until the new storage holds every tag', () => {
  it('keeps restore locked when a layer blob vanished from the target, then re-copies and completes', async () => {
    fixture = await migrationFixture();
    const first = await runCliInProcess(['migrate', ...fixture.args, '--yes'], { env: fixture.env });
    expect(first.code).toBe(6);
    // Take one layer of one tagged image out of the new storage, after it was verified.
    const repo = fixture.mock.state.repositories.find((r) => r.tags.length > 0);
    const tag = repo?.tags.find((t) => t.mediaType.includes('manifest.v2'));
    if (repo === undefined || tag === undefined) throw new Error('the sample has no image manifest');
    const manifest = JSON.parse(await readFile(blobPath(fixture.target, tag.digest), 'utf8')) as {
      layers: Array<{ digest: string }>;
    };
    const layer = manifest.layers[0]?.digest ?? '';
    await rm(blobPath(fixture.target, layer));

    const confirm = ['--yes', '--confirm-destroy', fixture.mock.replicaId];
    const locked = await runCliInProcess(['migrate', ...fixture.args, ...confirm], { env: fixture.env });
    expect(locked.code).toBe(1);
    expect(locked.stderr).toContain('restore is locked');
    // Verified again right before destroy: the blob file is named as missing from the new storage.
    expect(locked.stderr).toContain(`missing ${blobPath('', layer)}`);
    expect(fixture.mock.state.installed).toBe(true);
    expect(fixture.mock.state.storage).toEqual({ kind: 'path', path: fixture.source });
    expect((await readJournal(fixture.stateDir)).steps['migrate-storage']?.status).toBe('failed');

    const again = await runCliInProcess(['migrate', ...fixture.args, ...confirm], { env: fixture.env });
    expect(again.code).toBe(0);
    expect(await readFile(blobPath(fixture.target, layer))).toBeTruthy();
    expect(fixture.mock.state.storage).toEqual({ kind: 'path', path: fixture.target });
  });
});
