/**
 * Which DTR versions dtr-migrate knows, and what a storage switch does on each (dtr-api.md section 9).
 */
import { MigrateError } from '../errors.js';

export type VersionFamily = 'wipes-tags' | 'storage-migrated' | 'msr-2.9';

export interface VersionInfo {
  readonly version: string;
  readonly family: VersionFamily;
}

export const supportedVersions = 'DTR 2.5.x, 2.6.x, 2.7.x and MSR 2.8.x, 2.9.x';

function parse(version: string): [number, number, number] | undefined {
  const match = /^(\d+)\.(\d+)\.(\d+)$/.exec(version);
  return match === null ? undefined : [Number(match[1]), Number(match[2]), Number(match[3])];
}

export function classifyVersion(version: string): VersionInfo {
  const parts = parse(version);
  const [major, minor, patch] = parts ?? [0, 0, 0];
  if (parts === undefined || major !== 2 || minor < 5 || minor > 9) {
    throw new MigrateError(
      'UNSUPPORTED_VERSION',
      `DTR ${version} is not a version dtr-migrate supports (${supportedVersions})`,
      {
        hint: 'Check --dtr-version; before 2.5 DTR rebuilt tags with a tagmigration job and needs no tool.',
      },
    );
  }
  if (minor === 5 || (minor === 6 && patch < 4)) return { version, family: 'wipes-tags' };
  if (minor === 9) return { version, family: 'msr-2.9' };
  return { version, family: 'storage-migrated' };
}

/** What the operator should hear about this version before anything changes. */
export function versionAdvice(info: VersionInfo): string | undefined {
  if (info.family === 'wipes-tags') {
    return `On DTR ${info.version} a storage switch erases every tag unless it is restored from a backup: dtr-migrate takes the backup first. Upgrading to 2.6.4 or later first allows the read-only procedure with reconfigure --storage-migrated.`;
  }
  return undefined;
}
