/**
 * Whether a tree sits on storage slow to answer (NFS, FUSE, a network volume), where each file costs
 * round trips and speed comes from many files in flight, or on a local disk, where one walker per core
 * keeps the CPUs busy and more only add start-up cost (a worker thread takes 50 ms of CPU to start).
 *
 * The probe opens, lists and closes the directory three times: opening asks an NFS server again
 * (close-to-open consistency) and a FUSE daemon every time, while a local disk answers from memory in
 * microseconds. [choice] the fastest of the three above 200 µs means slow: local metadata answers in
 * under 20 µs, a LAN round trip takes 100 µs or more.
 */
import { opendirSync } from 'node:fs';

const slowAboveMs = 0.2;

/** The fastest of three open-list-close round trips of a directory, in ms (0 when it cannot be opened). */
export function fastestRoundTripMs(path: string): number {
  let fastest = Number.POSITIVE_INFINITY;
  for (let round = 0; round < 3; round += 1) {
    const started = performance.now();
    try {
      const dir = opendirSync(path);
      dir.readSync();
      dir.closeSync();
    } catch {
      return 0; // not there (yet): nothing to learn from it
    }
    fastest = Math.min(fastest, performance.now() - started);
  }
  return fastest;
}

/** True if any of `paths` (existing directories) answers like network storage. */
export function onSlowStorage(paths: readonly string[]): boolean {
  return paths.some((path) => fastestRoundTripMs(path) > slowAboveMs);
}
