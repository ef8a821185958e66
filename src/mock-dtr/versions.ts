/**
 * DTR version comparison for the mock's version-dependent behaviour (flags the bootstrapper knows, what a
 * storage change does to tags). Versions are dotted numbers; a suffix such as `-tp1` is ignored.
 */

function parts(version: string): number[] {
  return (version.split('-')[0] ?? '').split('.').map((part) => Number.parseInt(part, 10) || 0);
}

/** Negative when a < b, 0 when equal, positive when a > b. */
export function compareVersions(a: string, b: string): number {
  const left = parts(a);
  const right = parts(b);
  for (let i = 0; i < Math.max(left.length, right.length); i += 1) {
    const diff = (left[i] ?? 0) - (right[i] ?? 0);
    if (diff !== 0) return diff;
  }
  return 0;
}

export const isAtLeast = (version: string, minimum: string): boolean => compareVersions(version, minimum) >= 0;

/** `reconfigure --storage-migrated` exists from this version on. [doc] */
export const storageMigratedSince = '2.6.4';

/**
 * From MSR 2.9 metadata persists across a storage change (the new storage must be an exact copy) and
 * `reconfigure --reinitialize-storage` erases the tags instead. [doc: MSR 2.9 "Migrate to a new storage backend"]
 */
export const metadataPersistsSince = '2.9.0';

/**
 * Which of DTR's published API specifications a version answers as: 2.5, 2.6 or 2.7 (MSR 2.8 and 2.9
 * published none and are taken as 2.7) [test/contract/spec/README.md].
 */
export type ApiGeneration = '2.5' | '2.6' | '2.7';
export function apiGeneration(version: string): ApiGeneration {
  if (!isAtLeast(version, '2.6.0')) return '2.5';
  return isAtLeast(version, '2.7.0') ? '2.7' : '2.6';
}

/** The product line a version belongs to, which names its images: DTR 2.x `docker/`, MSR 2.8+ `mirantis/` [CLI refs]. */
export const isMsr = (version: string): boolean => isAtLeast(version, '2.8.0');
