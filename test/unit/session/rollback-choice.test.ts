/**
 * Which rollback a journal allows (rollback-choice.ts), from the journal alone: the cases status shows
 * and the rollback starts from.
 */
import { describe, expect, it } from 'vitest';
import type { JournalData, StepRecord } from '../../../src/runner/journal.js';
import { chooseRollback, refuseDuringRollback } from '../../../src/session/rollback-choice.js';

const verified = (extra: Partial<StepRecord> = {}): StepRecord => ({ status: 'verified', attempts: 1, ...extra });
const gcRecorded = verified({ output: { previousSchedules: [{ action: 'onlinegc', schedule: '0 0 1 * * 6' }] } });

function journal(
  procedure: string,
  steps: Record<string, StepRecord>,
  rollback?: JournalData['rollback'],
): JournalData {
  const at = '2026-12-03T05:00:00.000Z';
  return {
    version: 1,
    tool: 'dtr-migrate',
    createdAt: at,
    updatedAt: at,
    procedure,
    inputs: {},
    steps,
    ...(rollback === undefined ? {} : { rollback }),
  };
}

const stepsOf = (data: JournalData): string[] => {
  const choice = chooseRollback(data);
  return choice.possible ? choice.steps.map((s) => s.id) : [];
};

describe('the rollback a journal allows', () => {
  it('has nothing to undo before any change, and none without a journal', () => {
    expect(chooseRollback(undefined)).toMatchObject({ possible: false, nothingToDo: true });
    const fresh = chooseRollback(journal('best-practice', { 'disable-gc': { status: 'pending', attempts: 0 } }));
    expect(fresh).toMatchObject({ possible: false, nothingToDo: true });
  });

  it('before a destroy puts back GC, and read-only mode only where the procedure changed it', () => {
    expect(stepsOf(journal('best-practice', { 'disable-gc': gcRecorded, backup: verified() }))).toEqual([
      'rollback-gc',
    ]);
    expect(stepsOf(journal('read-only', { 'disable-gc': gcRecorded, 'read-only': verified() }))).toEqual([
      'rollback-read-only',
      'rollback-gc',
    ]);
    // A run stopped while disable-gc waited for GC jobs: the schedule is in its checkpoint already.
    const waiting = { status: 'interrupted' as const, attempts: 1, checkpoint: { previousSchedules: [] } };
    expect(chooseRollback(journal('best-practice', { 'disable-gc': waiting }))).toMatchObject({
      possible: true,
      procedure: 'before-destroy',
    });
  });

  it('after a destroy or a reconfigure began restores onto the old storage first', () => {
    const restore = { status: 'failed' as const, attempts: 1, checkpoint: { destroyStartedAt: 'then' } };
    expect(stepsOf(journal('best-practice', { 'disable-gc': gcRecorded, restore }))).toEqual([
      'rollback-restore',
      'rollback-gc',
    ]);
    const reconfigure = { status: 'interrupted' as const, attempts: 1, checkpoint: { reconfigureStartedAt: 'then' } };
    const readOnly = journal('read-only', { 'disable-gc': gcRecorded, 'read-only': verified(), reconfigure });
    expect(chooseRollback(readOnly)).toMatchObject({ possible: true, procedure: 'after-destroy' });
    expect(stepsOf(readOnly)).toEqual(['rollback-restore', 'rollback-read-only', 'rollback-gc']);
  });

  it('is not offered once DTR was verified on the new storage', () => {
    const done = journal('best-practice', { 'disable-gc': gcRecorded, restore: verified() });
    expect(chooseRollback(done)).toMatchObject({ possible: false, nothingToDo: false });
  });

  it('resumes the rollback recorded, and keeps a migration from running meanwhile', () => {
    const record = { procedure: 'after-destroy', steps: ['rollback-restore', 'rollback-gc'], startedAt: 'then' };
    const underWay = journal('best-practice', { 'disable-gc': gcRecorded }, record);
    expect(chooseRollback(underWay)).toMatchObject({ possible: true, underWay: true, procedure: 'after-destroy' });
    expect(stepsOf(underWay)).toEqual(['rollback-restore', 'rollback-gc']);
    expect(() => refuseDuringRollback(underWay)).toThrow(/rollback of this migration started/);
    const completed = journal('best-practice', {}, { ...record, completedAt: 'later' });
    expect(chooseRollback(completed)).toMatchObject({ possible: false, nothingToDo: true });
    expect(() => refuseDuringRollback(completed)).not.toThrow();
  });

  it('in an HA cluster, counts a replica destroy as a destroy, and does not roll back one replica of several', () => {
    const destroyed = {
      status: 'verified' as const,
      attempts: 1,
      checkpoint: { destroyStartedAt: 'then', destroyedAt: 'then' },
    };
    const untouched = { status: 'pending' as const, attempts: 0 };
    const data = journal('best-practice', {
      'disable-gc': gcRecorded,
      backup: verified(),
      'migrate-storage': verified(),
      'destroy-0000000000bb': destroyed,
      'destroy-0000000000cc': untouched,
      restore: untouched,
      'join-0000000000bb': untouched,
      'join-0000000000cc': untouched,
    });
    const choice = chooseRollback(data);
    expect(choice).toMatchObject({ possible: false, nothingToDo: false });
    expect(choice.possible ? '' : choice.why).toContain('HA cluster');
    // Before its first destroy the cluster is untouched: GC is put back as for one replica.
    const before = journal('best-practice', { ...data.steps, 'destroy-0000000000bb': untouched });
    expect(stepsOf(before)).toEqual(['rollback-gc']);
  });
});
