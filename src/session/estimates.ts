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
  /** The fastest directory round trip of each side, in ms. */
  readonly roundTripMs: { readonly source: number; readonly target: number };
  readonly filesInFlight: number;
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

const seconds = (bytes: number, perSecond: number): number => (perSecond > 0 ? bytes / perSecond : 0);

/**
 * [choice] Round trips a file costs, on storage that answers slowly each one counts: a copy opens and
 * checks the source file (2) and creates, writes, closes, renames and dates the target's (5); a verify
 * stats both sides and opens the blob it hashes (1 + 2). Spread over the files the engine keeps in flight.
 */
const copyTrips = { source: 2, target: 5 };
const verifyTrips = { source: 1, target: 2 };
function latencySeconds(files: number, trips: typeof copyTrips, m: StorageEstimate): number {
  const perFileMs = trips.source * m.roundTripMs.source + trips.target * m.roundTripMs.target;
  return (files * perFileMs) / Math.max(m.filesInFlight, 1) / 1000;
}
const inWords = (s: number): string => formatDuration(s * 1000);
const msText = (ms: number): string => `${ms < 1 ? ms.toFixed(3) : ms.toFixed(1)} ms`;

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
  // Bytes and round trips are added, not overlapped: an estimate for a window had better err long.
  const copySeconds = Math.ceil(
    seconds(measured.bytesToCopy, Math.min(readRate, writeRate)) +
      latencySeconds(measured.filesToCopy, copyTrips, measured),
  );
  // With a ledger, verify reads only what changed since it proved the rest: at most what is copied now.
  // It still stats every file on both sides.
  const verifyBytes = measured.blobsProved > 0 ? measured.bytesToCopy : measured.bytes;
  const verifySeconds = Math.ceil(
    seconds(verifyBytes, readRate) + latencySeconds(measured.files, verifyTrips, measured),
  );
  return {
    files: measured.files,
    bytes: measured.bytes,
    filesToCopy: measured.filesToCopy,
    bytesToCopy: measured.bytesToCopy,
    targetFreeBytes: measured.freeBytes,
    blobsProved: measured.blobsProved,
    readBytesPerSecond: readRate,
    writeBytesPerSecond: writeRate,
    roundTripMs: measured.roundTripMs,
    filesInFlight: measured.filesInFlight,
    copySeconds,
    verifySeconds,
    procedures: offered.map((id) => windowOf(id, copySeconds + verifySeconds)),
    assumptions: [
      `source read ${formatBytes(readRate)}/s (${formatBytes(measured.read.bytes)} sampled), target write ${formatBytes(writeRate)}/s (${formatBytes(measured.write.bytes)} written with fsync, then removed); data in the page cache reads faster than the storage`,
      `a directory round trip takes ${msText(measured.roundTripMs.source)} on the source and ${msText(measured.roundTripMs.target)} on the target, with ${formatCount(measured.filesInFlight)} files in flight`,
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
    ...e.assumptions.map((text) => `(${text})`),
  ];
}
