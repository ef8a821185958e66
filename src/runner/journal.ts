/**
 * The journal: `<state-dir>/journal.json`, the single record of where a migration stands. It is
 * versioned, validated by zod when read, and written atomically (temp file, fsync, rename), so a run
 * killed at any moment leaves either the old or the new journal, never half of one. A journal that is
 * damaged or from a newer dtr-migrate is refused, never overwritten.
 */
import { rename } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import { MigrateError } from '../errors.js';
import { explainWriteFailure, writeFileAtomic } from '../util/atomic-write.js';
import { isNotRegularFile, readRegularFile } from '../util/regular-file.js';
import { notRegularStateFile } from './state-dir.js';
import type { StepStatus } from './io.js';

export const journalVersion = 1;

const stepRecordSchema = z.object({
  status: z.enum(['pending', 'running', 'verified', 'failed', 'interrupted']),
  attempts: z.number().int().nonnegative(),
  startedAt: z.string().optional(),
  endedAt: z.string().optional(),
  durationMs: z.number().optional(),
  output: z.unknown().optional(),
  checkpoint: z.record(z.string(), z.unknown()).optional(),
  facts: z.array(z.string()).optional(),
  /** The facts as fields (the check's `data`), for --json and the report. */
  data: z.record(z.string(), z.unknown()).optional(),
  error: z.object({ code: z.string(), message: z.string(), hint: z.string().optional() }).optional(),
});
export type StepRecord = z.infer<typeof stepRecordSchema>;

/** One run of the migration: when it started, which tool version ran it, and what it found before any change. */
const runRecordSchema = z.object({
  startedAt: z.string(),
  toolVersion: z.string().optional(),
  detected: z.record(z.string(), z.unknown()),
  /** The saved plan this run applied (`migrate --plan`), by file and sha256. */
  plan: z.object({ file: z.string(), sha256: z.string() }).optional(),
});
export type RunRecord = z.infer<typeof runRecordSchema>;

/**
 * A procedure that undoes the migration, run on its own (dtr-migrate rollback): which one was chosen and
 * its steps, fixed when it starts so that a killed rollback resumes the same way. Its steps' records sit
 * beside the migration's in `steps`, under their own ids.
 */
const rollbackRecordSchema = z.object({
  procedure: z.string(),
  steps: z.array(z.string()),
  startedAt: z.string(),
  completedAt: z.string().optional(),
});
export type RollbackRecord = z.infer<typeof rollbackRecordSchema>;

const journalSchema = z.object({
  version: z.literal(journalVersion),
  tool: z.literal('dtr-migrate'),
  createdAt: z.string(),
  updatedAt: z.string(),
  procedure: z.string(),
  inputs: z.record(z.string(), z.unknown()),
  steps: z.record(z.string(), stepRecordSchema),
  /** Optional: a journal written before runs were noted is still version 1. */
  runs: z.array(runRecordSchema).optional(),
  /** Optional, as `runs`: only a migration that was rolled back has one. */
  rollback: rollbackRecordSchema.optional(),
});
export type JournalData = z.infer<typeof journalSchema>;

export const journalFileName = 'journal.json';

export class Journal {
  private constructor(
    readonly file: string,
    private data: JournalData,
    readonly existed: boolean,
  ) {}

  /** Opens the journal of a state directory, or starts a new one (not written until the first change). */
  static async open(stateDir: string, procedure: string, stepIds: readonly string[]): Promise<Journal> {
    const file = join(stateDir, journalFileName);
    return Journal.from(file, await Journal.read(file), procedure, stepIds);
  }

  /** The journal from what `read` returned, or a new one for `procedure` when there was none. */
  static from(file: string, existing: JournalData | undefined, procedure: string, stepIds: readonly string[]): Journal {
    if (existing !== undefined) return new Journal(file, structuredClone(existing), true);
    const now = new Date().toISOString();
    const steps = Object.fromEntries(stepIds.map((id) => [id, { status: 'pending' as const, attempts: 0 }]));
    return new Journal(
      file,
      { version: journalVersion, tool: 'dtr-migrate', createdAt: now, updatedAt: now, procedure, inputs: {}, steps },
      false,
    );
  }

  /** Reads and validates a journal file; undefined when there is none. */
  static async read(file: string): Promise<JournalData | undefined> {
    let text: string;
    try {
      text = await readRegularFile(file);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      if (isNotRegularFile(error)) throw notRegularStateFile(error);
      throw new MigrateError('JOURNAL_INVALID', `the journal ${file} cannot be read`, {
        hint: 'Check the permissions of --state-dir.',
      });
    }
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch {
      throw new MigrateError(
        'JOURNAL_INVALID',
        `the journal ${file} is damaged (not valid JSON); it was left as it is`,
        {
          hint: 'Restore it from a copy, or move it away and start a new migration with another --state-dir.',
        },
      );
    }
    const version = (raw as { version?: unknown } | null)?.version;
    if (typeof version === 'number' && version > journalVersion) {
      throw new MigrateError(
        'JOURNAL_INVALID',
        `the journal ${file} was written by a newer dtr-migrate (journal version ${version})`,
        {
          hint: 'Continue this migration with the dtr-migrate version that started it.',
        },
      );
    }
    const parsed = journalSchema.safeParse(raw);
    if (!parsed.success) {
      const where = parsed.error.issues[0]?.path.join('.') ?? '';
      throw new MigrateError(
        'JOURNAL_INVALID',
        `the journal ${file} is damaged (${where}: ${parsed.error.issues[0]?.message}); it was left as it is`,
        {
          hint: 'Restore it from a copy, or move it away and start a new migration with another --state-dir.',
        },
      );
    }
    return parsed.data;
  }

  /**
   * Moves a journal file aside under a name that says why (`journal-<why>-<time>.json`, beside it), so a
   * new migration starts while the old record stays for the report and the auditors. Returns the new path.
   */
  static async setAside(file: string, why: string): Promise<string> {
    const aside = join(dirname(file), `journal-${why}-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
    await rename(file, aside);
    return aside;
  }

  get procedure(): string {
    return this.data.procedure;
  }

  get inputs(): Readonly<Record<string, unknown>> {
    return this.data.inputs;
  }

  get createdAt(): string {
    return this.data.createdAt;
  }

  step(id: string): StepRecord {
    return this.data.steps[id] ?? { status: 'pending', attempts: 0 };
  }

  status(id: string): StepStatus {
    return this.step(id).status;
  }

  async setInputs(inputs: Record<string, unknown>): Promise<void> {
    this.data.inputs = { ...this.data.inputs, ...inputs };
    await this.save();
  }

  /** Every run noted so far, oldest first. */
  runs(): readonly RunRecord[] {
    return this.data.runs ?? [];
  }

  /** Notes the start of a run (for the report: who ran it, and what DTR looked like then). */
  async noteRun(run: RunRecord): Promise<void> {
    this.data.runs = [...(this.data.runs ?? []), run];
    await this.save();
  }

  get rollback(): RollbackRecord | undefined {
    return this.data.rollback;
  }

  /** Records the rollback (its start, or that it completed). */
  async noteRollback(rollback: RollbackRecord): Promise<void> {
    this.data.rollback = rollback;
    await this.save();
  }

  async update(id: string, change: Partial<StepRecord>): Promise<void> {
    this.data.steps[id] = { ...this.step(id), ...change };
    await this.save();
  }

  private async save(): Promise<void> {
    this.data.updatedAt = new Date().toISOString();
    try {
      await writeFileAtomic(this.file, `${JSON.stringify(this.data, null, 2)}\n`);
    } catch (error) {
      throw explainWriteFailure('the journal', this.file, error, {
        hint: `Free space in ${dirname(this.file)} (or pass another --state-dir), then run the same command again.`,
        effect: 'the journal on disk is still the one from before this change',
      });
    }
  }
}
