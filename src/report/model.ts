/**
 * What the report shows, read from the state directory alone: the journal (steps, their facts as
 * fields, checkpoints, runs) and the inventories beside it. Nothing is asked of DTR, so the report can
 * be written again at any time, also on another machine, from a copy of the state directory.
 */
import { join } from 'node:path';
import { inventoryAfterFileName, inventoryFileName, readInventory, type TagInventory } from '../inventory/tags.js';
import { Journal, journalFileName, type JournalData, type RunRecord, type StepRecord } from '../runner/journal.js';
import { storedVerifySummary, type StoredVerifySummary } from '../steps/04-migrate-storage.js';
import { stepsOfJournal } from '../steps/index.js';
import { recordedTopology } from '../dtr/topology.js';
import type { StepData } from '../steps/step-data.js';

export const reportFileName = 'report.html';

export interface ReportStep {
  readonly id: string;
  readonly title: string;
  readonly record: StepRecord;
  readonly data: StepData;
}

/** A span of time; `to` undefined while it has not ended. */
export interface TimeWindow {
  readonly from: string;
  readonly to: string | undefined;
}

export interface ReportModel {
  readonly stateDir: string;
  readonly journalFile: string;
  readonly generatedAt: string;
  readonly toolVersion: string;
  readonly journal: JournalData;
  readonly steps: readonly ReportStep[];
  /** The newest run's view of DTR before it changed anything. */
  readonly lastRun: RunRecord | undefined;
  /** From destroy (or reconfigure) until the replica answered healthy again. */
  readonly unavailable: TimeWindow | undefined;
  /** From read-only mode on until it was turned back off. */
  readonly readOnly: TimeWindow | undefined;
  readonly before: TagInventory | undefined;
  readonly after: TagInventory | undefined;
  readonly storageCheck: StoredVerifySummary | undefined;
}

export type Outcome = 'complete' | 'failed' | 'in progress' | 'not started';

export function outcomeOf(steps: readonly ReportStep[]): Outcome {
  if (steps.every((s) => s.record.status === 'verified')) return 'complete';
  if (steps.some((s) => s.record.status === 'failed' || s.record.status === 'interrupted')) return 'failed';
  return steps.some((s) => s.record.attempts > 0) ? 'in progress' : 'not started';
}

/** The report's contents, or undefined when the state directory holds no journal yet. */
export async function loadReport(
  stateDir: string,
  toolVersion: string,
  now = new Date(),
): Promise<ReportModel | undefined> {
  const journalFile = join(stateDir, journalFileName);
  const journal = await Journal.read(journalFile);
  if (journal === undefined) return undefined;
  const steps = stepsOfJournal(journal.procedure, recordedTopology(journal.runs)).map((step) => {
    const record = journal.steps[step.id] ?? { status: 'pending' as const, attempts: 0 };
    return { id: step.id, title: step.title, record, data: (record.data ?? {}) as StepData };
  });
  const byId = new Map(steps.map((s) => [s.id, s]));
  const backupData = byId.get('backup')?.data;
  return {
    stateDir,
    journalFile,
    generatedAt: now.toISOString(),
    toolVersion,
    journal,
    steps,
    lastRun: journal.runs?.at(-1),
    unavailable:
      downtime(byId.get('restore'), 'destroyStartedAt') ?? downtime(byId.get('reconfigure'), 'reconfigureStartedAt'),
    readOnly: readOnlyWindow(byId.get('read-only'), byId.get('read-write')),
    before: await inventoryIn(backupData?.inventory?.file ?? join(stateDir, inventoryFileName)),
    after: await inventoryIn(join(stateDir, inventoryAfterFileName)),
    storageCheck: storedVerifySummary(byId.get('migrate-storage')?.record.checkpoint),
  };
}

/** An inventory file, or undefined when it is not there (yet) or not one dtr-migrate wrote. */
async function inventoryIn(file: string): Promise<TagInventory | undefined> {
  return readInventory(file).catch(() => undefined);
}

/** When the step's change began (a checkpoint the step saved first) until DTR answered healthy again. */
function downtime(step: ReportStep | undefined, startMark: string): TimeWindow | undefined {
  const from = step?.record.checkpoint?.[startMark];
  if (typeof from !== 'string') return undefined;
  const healthy = step?.record.checkpoint?.['healthyAt'];
  return { from, to: typeof healthy === 'string' && healthy >= from ? healthy : undefined };
}

function readOnlyWindow(on: ReportStep | undefined, off: ReportStep | undefined): TimeWindow | undefined {
  const from = on?.record.startedAt;
  if (from === undefined) return undefined;
  return { from, to: off?.record.status === 'verified' ? off.record.endedAt : undefined };
}

/** Milliseconds from `from` to `to`. */
export function spanMs(window: { from: string; to: string }): number {
  return Date.parse(window.to) - Date.parse(window.from);
}
