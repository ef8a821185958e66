/**
 * Where each docker/distribution storage driver keeps the registry tree (`docker/registry/v2/...`), so
 * that `storage copy` puts it where the registry DTR runs will look. This is the one place the choice is
 * made; the sources are the drivers' key functions in distribution/distribution (v2.x, as DTR 2.5-2.7
 * and MSR 2.8/2.9 ship it):
 * - filesystem: `<rootdirectory>/docker/registry/v2/...` (DTR forces the root to its volume, `/storage`);
 * - s3 (`s3Path`) and gcs (`pathToKey`): `<rootdirectory>/docker/registry/v2/...` in the bucket, where
 *   the bucket path given to `--to` stands for the root directory;
 * - swift (`swiftPath`): `<prefix>/files/docker/registry/v2/...`: one more `files/` level;
 * - azure: the blob name is the registry path itself, at the container root: the driver of that
 *   generation has no root directory, so `--to` must name the container alone.
 */
import { MigrateError } from '../errors.js';

export const storageDrivers = ['filesystem', 's3', 'gcs', 'swift', 'azure'] as const;
export type StorageDriver = (typeof storageDrivers)[number];

/** rclone backend types (`rclone listremotes --long`, or the `:type,...:` of an inline remote) → driver. */
const driverOfBackend: Readonly<Record<string, StorageDriver>> = {
  local: 'filesystem',
  s3: 's3',
  'google cloud storage': 'gcs',
  gcs: 'gcs',
  swift: 'swift',
  azureblob: 'azure',
};

export function driverForBackend(type: string): StorageDriver | undefined {
  return driverOfBackend[type.trim().toLowerCase()];
}

/** The backend of an inline remote (`:azureblob,use_emulator=true:container`), else undefined. */
export function inlineBackend(remote: string): string | undefined {
  const match = /^:([a-z0-9 ]+)[,:]/i.exec(remote);
  return match?.[1];
}

/** `remote:path` split at the remote's own colon (an inline remote's options may hold quoted colons). */
function splitRemote(remote: string): { name: string; path: string } {
  if (!remote.startsWith(':')) {
    const colon = remote.indexOf(':');
    return { name: remote.slice(0, colon + 1), path: remote.slice(colon + 1) };
  }
  let quoted = false;
  for (let at = 1; at < remote.length; at += 1) {
    const char = remote[at];
    if (char === '"' || char === "'") quoted = !quoted;
    else if (char === ':' && !quoted) return { name: remote.slice(0, at + 1), path: remote.slice(at + 1) };
  }
  return { name: remote, path: '' };
}

/**
 * The rclone location the registry tree must be copied to for `driver`, from the location the operator
 * named (`bucket/root`, `container`). Throws STORAGE_INVALID where the driver cannot read that place.
 */
export function driverRoot(remote: string, driver: StorageDriver, flag = '--to'): string {
  const { name, path } = splitRemote(remote);
  const clean = path.replace(/\/+$/, '');
  if (driver === 'swift') return `${name}${clean === '' ? '' : `${clean}/`}files`;
  if (driver === 'azure' && clean.replace(/^\/+/, '').includes('/')) {
    throw new MigrateError(
      'STORAGE_INVALID',
      `The Azure storage driver reads the registry at the root of its container, not under ${clean}.`,
      { hint: `Pass the container alone with ${flag} (azure:<container>), or another --to-driver.` },
    );
  }
  return `${name}${clean}`;
}
