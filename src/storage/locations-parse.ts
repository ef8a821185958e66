/**
 * Reads a location as an operator writes it: a path (`/mnt/nfs`, `./storage`) or an rclone remote
 * (`s3:bucket/prefix`, `:s3,provider=AWS:bucket`), and picks the engine that can move between two.
 */
import { createPathStorageEngine } from './path-engine.js';
import { createRcloneStorageEngine } from './rclone-engine.js';
import type { StorageEngine, StorageLocation } from './types.js';

export function parseLocation(value: string): StorageLocation {
  // rclone names remotes `name:path` or `:backend:path`; a path never has a colon before its first slash.
  const colon = value.indexOf(':');
  const slash = value.indexOf('/');
  return colon > -1 && (slash === -1 || colon < slash) ? { kind: 'rclone', remote: value } : { kind: 'path', path: value };
}

/** Mounted paths on both sides use the native engine; anything else goes through rclone. */
export function engineFor(from: StorageLocation, to: StorageLocation, rcloneBin = 'rclone'): StorageEngine {
  return from.kind === 'path' && to.kind === 'path' ? createPathStorageEngine() : createRcloneStorageEngine(rcloneBin);
}
