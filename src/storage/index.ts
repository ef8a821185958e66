/** The storage engine: copy a registry's storage to a new backend and prove the copy complete. */

export { createPathStorageEngine } from './path-engine.js';
export type { PathStorageEngineDeps } from './path-engine.js';
export type { FreeSpace, StatfsFunction } from './free-space.js';
export type * from './types.js';
export { resolveLocations as checkLocations } from './locations.js';
