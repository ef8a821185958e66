/** The storage engine: copy a registry's storage to a new backend and prove the copy complete. */

import { probeTarget, resolveLocations } from './locations.js';
import type { LocationFlags, StorageLocation } from './types.js';

export { createPathStorageEngine } from './path-engine.js';
export type { PathStorageEngineDeps } from './path-engine.js';
export type { FreeSpace, StatfsFunction } from './free-space.js';
export type * from './types.js';

/**
 * The checks of a copy that need no scan: source a readable registry storage, target not it nor inside it
 * (nor it inside the target) and, unless `dryRun`, writable (the target directory is created to prove it).
 */
export async function checkLocations(
  from: StorageLocation,
  to: StorageLocation,
  flags: LocationFlags,
  dryRun: boolean,
): Promise<void> {
  const locations = await resolveLocations(from, to, { flags });
  if (!dryRun) await probeTarget(locations, flags);
}
