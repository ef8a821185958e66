/**
 * Is a tar the backup of this DTR? DTR lays its backup out as `dtr-backup-v<version>/rethink/<table>/...`
 * [backup docs; dtr/facts.ts]: every entry lies below the folder of one version, which must be the
 * running DTR's (a backup is restored only with the bootstrapper of the version that took it), and at
 * least one table is there.
 */
import { backupVersionOf, isBackupTableEntry, leadingVersion } from '../dtr/facts.js';
import { isFileEntry, type TarEntry } from './tar.js';

/** The DTR version that took the backup these entries make up, if they agree on one. */
export function backupVersion(entries: readonly TarEntry[]): string | undefined {
  const versions = new Set(entries.map((entry) => backupVersionOf(entry.name)));
  const [only] = versions;
  return versions.size === 1 && only !== undefined ? leadingVersion(only) : undefined;
}

/** Undefined when the entries are a backup of DTR `version` in the documented layout; else what is wrong. */
export function backupLayoutProblem(entries: readonly TarEntry[], version: string): string | undefined {
  const stray = entries.find((entry) => backupVersionOf(entry.name) === undefined);
  if (stray !== undefined)
    return `its entry "${stray.name}" is not below dtr-backup-v<version>/, as DTR lays out a backup`;
  const found = backupVersion(entries);
  if (found === undefined) return 'it holds the backups of several DTR versions';
  if (found !== version) return `it was taken by DTR ${found}, but the running DTR is ${version}`;
  if (!entries.some((entry) => isFileEntry(entry) && isBackupTableEntry(entry.name)))
    return `it holds no table (no dtr-backup-v${version}/rethink/<table>/ entry)`;
  return undefined;
}
