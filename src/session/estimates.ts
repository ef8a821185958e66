/**
 * A plan's estimates: what the copy inside the window still has to move (after a copy made ahead of it),
 * how fast the two storages went in a short sample, and from that the window each offered procedure
 * needs: how long DTR is unavailable, read-only, or losing pushes. The bootstrapper's own times cannot
 * be measured ahead; they are assumed (src/dtr/facts.ts) and said to be.
 */
import { assumedBootstrapperSeconds } from '../dtr/facts.js';
import { procedures, type ProcedureId } from '../dtr/procedures.js';
import type { StorageEstimate, ThroughputSample } from '../storage/types.js';
import { formatBytes, formatCount, formatDuration } from '../util/format.js';

export interface ProcedureWindow {
  readonly id: ProcedureId;
  readonly title: string;
  /** DTR answers nothing (destroyed, or restarting). */
  readonly unavailableSeconds: number;
  /** Pulls work; pushes and deletes fail. */
  readonly readOnlySeconds: number;
  /** DTR serves everything, but what is pushed in this time is not in the backup the restore brings back. */
  readonly pushesLostSeconds: number;
  /** From the first change to the last step, about. */
  readonly totalSeconds: number;
  readonly erasesTags: boolean;
  /** The same in words. */
  readonly text: string;
}

export interface PlanEstimate {
  readonly files: number;
  readonly bytes: number;
  readonly filesToCopy: number;
  readonly bytesToCopy: number;
  readonly targetFreeBytes: number;
  /** Blobs an earlier verify of the target proved intact (read again only if changed). */
  readonly blobsProved: number;
  readonly readBytesPerSecond: number;
  readonly writeBytesPerSecond: number;
  readonly copySeconds: number;
  readonly verifySeconds: number;
  readonly procedures: readonly ProcedureWindow[];
  /** What the figures rest on, in words. */
  readonly assumptions: readonly string[];
}

/** Bytes per second of a sample (a sample too quick to time counts as 1 ms). */
function rate(sample: ThroughputSample): number {
  return Math.round(sample.bytes / (Math.max(sample.ms, 1) / 1000));
}

const seconds = (bytes: number, perSecond: number): number => (perSecond > 0 ? Math.ceil(bytes / perSecond) : 0);
const inWords = (s: number): string => formatDuration(s * 1000);

function windowOf(id: ProcedureId, copyAndVerify: number): ProcedureWindow {
  const { backup, destroyAndRestore, reconfigure } = assumedBootstrapperSeconds;
  const title = procedures[id].title;
  const erasesTags = !procedures[id].keepsTags;
  switch (id) {
    case 'best-practice': {
      const lost = backup + copyAndVerify + destroyAndRestore;
      return {
        id,
        title,
        unavailableSeconds: destroyAndRestore,
        readOnlySeconds: 0,
        pushesLostSeconds: lost,
        totalSeconds: lost,
        erasesTags,
        text: `DTR unavailable about ${inWords(destroyAndRestore)} (destroy and restore); pushes made in the ${inWords(lost)} from the backup to the end of the restore are lost`,
      };
    }
    case 'read-only': {
      const readOnly = backup + copyAndVerify + reconfigure;
      return {
        id,
        title,
        unavailableSeconds: reconfigure,
        readOnlySeconds: readOnly,
        pushesLostSeconds: 0,
        totalSeconds: readOnly,
        erasesTags,
        text: `read-only (pulls only) about ${inWords(readOnly)}, of which DTR restarts for about ${inWords(reconfigure)}`,
      };
    }
    case 'reconfigure':
      return {
        id,
        title,
        unavailableSeconds: reconfigure,
        readOnlySeconds: 0,
        pushesLostSeconds: 0,
        totalSeconds: backup + copyAndVerify + reconfigure,
        erasesTags,
        text: `DTR restarts for about ${inWords(reconfigure)}, and EVERY TAG IS ERASED`,
      };
  }
}

export function planEstimate(measured: StorageEstimate, offered: readonly ProcedureId[]): PlanEstimate {
  const readRate = rate(measured.read);
  const writeRate = rate(measured.write);
  // A copy reads the source and writes the target at once: the slower of the two sets its pace.
  const copySeconds = seconds(measured.bytesToCopy, Math.min(readRate, writeRate));
  // With a ledger, verify reads only what changed since it proved the rest: at most what is copied now.
  const verifyBytes = measured.blobsProved > 0 ? measured.bytesToCopy : measured.bytes;
  const verifySeconds = seconds(verifyBytes, readRate);
  return {
    files: measured.files,
    bytes: measured.bytes,
    filesToCopy: measured.filesToCopy,
    bytesToCopy: measured.bytesToCopy,
    targetFreeBytes: measured.freeBytes,
    blobsProved: measured.blobsProved,
    readBytesPerSecond: readRate,
    writeBytesPerSecond: writeRate,
    copySeconds,
    verifySeconds,
    procedures: offered.map((id) => windowOf(id, copySeconds + verifySeconds)),
    assumptions: [
      `source read ${formatBytes(readRate)}/s (${formatBytes(measured.read.bytes)} sampled), target write ${formatBytes(writeRate)}/s (${formatBytes(measured.write.bytes)} written with fsync, then removed); data in the page cache reads faster than the storage`,
      `verify reads ${formatBytes(verifyBytes)} at the source's read speed${measured.blobsProved > 0 ? ` (${formatCount(measured.blobsProved)} blobs proved by an earlier verify are not read again)` : ''}`,
      `assumed, not measured: backup ${inWords(assumedBootstrapperSeconds.backup)}, destroy and restore ${inWords(assumedBootstrapperSeconds.destroyAndRestore)}, reconfigure ${inWords(assumedBootstrapperSeconds.reconfigure)} (a rehearsal on your own DTR tells better)`,
    ],
  };
}

/** The estimate in lines a person reads (the CLI prints them; --json carries the fields). */
export function estimateLines(e: PlanEstimate): string[] {
  const already = e.files - e.filesToCopy;
  return [
    `to copy: ${formatCount(e.filesToCopy)} files, ${formatBytes(e.bytesToCopy)} (the source holds ${formatCount(e.files)} files, ${formatBytes(e.bytes)}${already > 0 ? `; ${formatCount(already)} of them already in the new storage` : ''})`,
    `free on the new storage: ${formatBytes(e.targetFreeBytes)}`,
    `copy about ${inWords(e.copySeconds)}, verify about ${inWords(e.verifySeconds)}`,
    ...e.procedures.map((p) => `${p.id}: ${p.text}; about ${inWords(p.totalSeconds)} in all`),
  ];
}
