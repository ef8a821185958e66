/**
 * What the steps' checks establish, as fields: each passed check returns its sentences (facts) and
 * these figures beside them (its `data`). They are journaled with the step, sent in `--json` step-done
 * events (schema/events.schema.json, `stepData`) and read by the report. A field's meaning never
 * changes within the event schema's version; new fields may be added.
 */
import type { Cron } from '../api/schemas.js';

export interface ScheduleFact {
  readonly action: string;
  readonly schedule: string;
}

/** A type, not an interface: a check's `data` is a plain record (runner/step.ts), which an interface is not. */
export type StepData = {
  /** disable-gc: the schedule found and the GC jobs waited for; restore-gc: the schedule put back. */
  readonly gc?: {
    readonly before?: readonly ScheduleFact[];
    readonly now: readonly ScheduleFact[];
    readonly restored?: boolean;
    readonly jobsWaitedFor?: readonly string[];
  };
  /** read-only and read-write: the mode DTR reports now. */
  readonly readOnly?: boolean;
  readonly backup?: {
    readonly path: string;
    readonly bytes: number;
    readonly sha256: string;
    readonly entries: number;
    readonly dtrVersion: string;
  };
  /** An inventory file, and what it holds. */
  readonly inventory?: { readonly file: string; readonly repositories: number; readonly tags: number };
  readonly copy?: {
    readonly source: string;
    readonly target: string;
    readonly files: number;
    readonly bytes: number;
    readonly filesCopied: number;
    readonly bytesCopied: number;
    readonly durationMs: number;
  };
  readonly verification?: {
    readonly filesChecked: number;
    readonly bytesChecked: number;
    readonly blobsHashed: number;
    readonly blobsTrusted: number;
    readonly linksChecked: number;
    readonly problems: number;
  };
  /** restore and reconfigure: the replica, healthy, serving from the new storage. */
  readonly dtr?: { readonly replicaId: string; readonly storage: string };
  /** The after-check: the inventory before against the one taken now (kept as inventory-after.json). */
  readonly tags?: {
    readonly before: number;
    readonly now: number;
    readonly missing: number;
    readonly changed: number;
    readonly afterFile: string;
  };
  readonly pullCheck?: {
    readonly mode: string;
    readonly manifestsChecked: number;
    readonly blobsChecked: number;
    readonly blobsFetched: number;
    readonly problems: number;
  };
  /** A DTR job the step started and followed. */
  readonly job?: { readonly id: string; readonly action: string; readonly status: string; readonly waitedMs: number };
};

export function scheduleFacts(crons: readonly Pick<Cron, 'action' | 'schedule'>[]): ScheduleFact[] {
  return crons.map((cron) => ({ action: cron.action, schedule: cron.schedule }));
}
