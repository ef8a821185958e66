/**
 * The report from a state directory alone: a finished migration (everything an auditor looks for, no
 * secret), a lost tag (highlighted, counted), and a migration stopped before the destroy (what is not
 * done yet says so). Migrations run in-process against the mock; the page is read as text here, and
 * rendered in a real browser in test/e2e/report.test.ts.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { TagInventory } from '../../../src/inventory/tags.js';
import { writeReport } from '../../../src/report/write.js';
import { migrateInProcess, journalOf } from '../../helpers/in-process.js';
import { migrationFixture, secrets, type MigrationFixture } from '../../helpers/mock-migration.js';

let f: MigrationFixture | undefined;
afterEach(async () => {
  await f?.close();
  f = undefined;
});

async function report(stateDir: string): Promise<string> {
  const file = await writeReport(stateDir, '9.9.9-test');
  expect(file).toBe(join(stateDir, 'report.html'));
  return readFile(file as string, 'utf8');
}

describe('report.html', () => {
  it('of a finished migration: DTR, steps, backup, GC, copy, tags side by side, pull check, inputs; no secret', async () => {
    f = await migrationFixture();
    const run = await migrateInProcess(f, { yes: true, flags: { confirmDestroy: f.mock.replicaId } });
    expect(run.code).toBe(0);
    const html = await report(f.stateDir);
    const journal = await journalOf(f);
    const backup = journal.steps['backup']?.data?.['backup'] as { sha256: string; path: string };
    expect(html).toContain(backup.sha256);
    expect(html).toContain(backup.path);
    for (const step of run.result?.steps ?? []) expect(html).toContain(`data-step="${step.id}"`);
    expect(html).toContain('data-outcome="complete"');
    expect(html).toContain(f.mock.replicaId);
    expect(html).toMatch(/DTR unavailable<\/dt><dd><strong>/);
    expect(html).toContain('onlinegc_blobs');
    expect(html).toContain('by dtr-migrate 9.9.9-test');
    const before = JSON.parse(await readFile(join(f.stateDir, 'inventory-before.json'), 'utf8')) as TagInventory;
    expect(html).toContain(`<span class="n" data-tags-before>${before.tags.length}</span>`);
    expect(html).toContain('<span class="n" data-tags-lost><span class="ok">0</span></span>');
    expect(html).not.toContain('class="diff"');
    expect(html).not.toMatch(/<script|<link|\ssrc=/);
    expect(html).not.toContain(secrets.token);
    expect(html).not.toContain(secrets.ucpPassword);
  });

  it('highlights a tag lost or changed, repository by repository', async () => {
    f = await migrationFixture();
    expect((await migrateInProcess(f, { yes: true, flags: { confirmDestroy: f.mock.replicaId } })).code).toBe(0);
    const afterFile = join(f.stateDir, 'inventory-after.json');
    const after = JSON.parse(await readFile(afterFile, 'utf8')) as TagInventory;
    const [lost, changed, ...kept] = after.tags;
    if (lost === undefined || changed === undefined) throw new Error('the sample registry has too few tags');
    const digest = `sha256:${'0'.repeat(64)}`;
    await writeFile(afterFile, JSON.stringify({ ...after, tags: [{ ...changed, digest }, ...kept] }));
    const html = await report(f.stateDir);
    expect(html).toContain(`<tr class="diff" data-repository="${lost.repository}">`);
    expect(html).toContain(`lost: <code>${lost.repository}:${lost.tag}</code>`);
    expect(html).toContain(`→ <code>${digest}</code>`);
    expect(html).toContain('<span class="n" data-tags-lost><span class="bad">1</span></span>');
  });

  it('of a migration stopped before the destroy: in progress, no inventory after yet', async () => {
    f = await migrationFixture();
    const run = await migrateInProcess(f, { yes: true });
    expect(run.error?.code).toBe('CONFIRMATION_REQUIRED');
    const html = await report(f.stateDir);
    expect(html).toContain('data-outcome="in progress"');
    expect(html).toContain('the inventory after is taken when DTR runs on the new storage');
    expect(html).toContain('DTR was not taken down');
  });

  it('is not written where no migration started', async () => {
    f = await migrationFixture();
    expect(await writeReport(f.stateDir, '9.9.9-test')).toBeUndefined();
  });
});
