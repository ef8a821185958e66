import { mkdtemp, readFile, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Journal } from '../../../src/runner/journal.js';
import { stepIds } from '../../../src/steps/step.js';
import { acquireLock } from '../../../src/runner/state-dir.js';
import { isMigrateError } from '../../../src/errors.js';

describe('journal', () => {
  it('starts empty, writes atomically with owner-only mode, and reads back', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'journal-'));
    const journal = await Journal.open(dir, 'best-practice', stepIds);
    expect(journal.existed).toBe(false);
    await journal.update('backup', { status: 'verified', attempts: 1, output: { file: 'x' } });
    expect((await stat(join(dir, 'journal.json'))).mode & 0o777).toBe(0o600);
    const again = await Journal.open(dir, 'best-practice', stepIds);
    expect(again.existed).toBe(true);
    expect(again.status('backup')).toBe('verified');
    expect(again.status('restore')).toBe('pending');
  });

  it('refuses a damaged or newer journal and leaves it untouched', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'journal-'));
    const file = join(dir, 'journal.json');
    for (const content of [
      '{"version": 1, "steps": ',
      JSON.stringify({ version: 2, tool: 'dtr-migrate' }),
      JSON.stringify({ version: 1, tool: 'dtr-migrate' }),
    ]) {
      await writeFile(file, content);
      const error = await Journal.open(dir, 'best-practice', stepIds).catch((e: unknown) => e);
      expect(isMigrateError(error) && error.code).toBe('JOURNAL_INVALID');
      expect(await readFile(file, 'utf8')).toBe(content);
    }
  });
});

describe('state directory lock', () => {
  it('refuses a second owner while the first is alive', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'lock-'));
    const lock = await acquireLock(dir, () => Promise.resolve(false));
    const error = await acquireLock(dir, () => Promise.resolve(true)).catch((e: unknown) => e);
    expect(isMigrateError(error) && error.code).toBe('STATE_LOCKED');
    expect((error as Error).message).toContain(String(process.pid));
    await lock.release();
  });

  it('takes over a stale lock only with consent', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'lock-'));
    const { hostname } = await import('node:os');
    await writeFile(join(dir, 'lock'), JSON.stringify({ pid: 2 ** 22 + 12345, host: hostname(), startedAt: 'then' }));
    const refused = await acquireLock(dir, () => Promise.resolve(false)).catch((e: unknown) => e);
    expect((refused as { hint: string }).hint).toContain('--take-over-lock');
    const lock = await acquireLock(dir, () => Promise.resolve(true));
    expect(JSON.parse(await readFile(join(dir, 'lock'), 'utf8')).pid).toBe(process.pid);
    await lock.release();
  });

  it('lets only one of two runs that take over the same stale lock at once win', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'lock-'));
    const { hostname } = await import('node:os');
    await writeFile(join(dir, 'lock'), JSON.stringify({ pid: 2 ** 22 + 12345, host: hostname(), startedAt: 'then' }));
    // The worst timing: both have found the lock stale; the first takes it over, then the second goes on.
    let asked = 0;
    let bothAsked = (): void => undefined;
    const barrier = new Promise<void>((resolve) => (bothAsked = resolve));
    const consent = async (): Promise<boolean> => {
      const turn = (asked += 1);
      if (turn === 2) bothAsked();
      await barrier;
      if (turn === 2) await new Promise((resolve) => setTimeout(resolve, 100));
      return true;
    };
    const results = await Promise.allSettled([acquireLock(dir, consent), acquireLock(dir, consent)]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const lost = results.find((r) => r.status === 'rejected');
    expect(isMigrateError(lost?.reason) && lost.reason.code).toBe('STATE_LOCKED');
    for (const r of results) if (r.status === 'fulfilled') await r.value.release();
  });
});
