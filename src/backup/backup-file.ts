/**
 * The backup file's identity: size and sha256, computed by streaming (backups can be large), and the
 * check that the file on disk is still the one the backup step verified.
 */
import { createHash } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import { isNotRegularFile, openRegular } from '../util/regular-file.js';

export interface BackupIdentity {
  readonly file: string;
  readonly bytes: number;
  readonly sha256: string;
}

export async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256');
  const handle = await openRegular(file);
  // The stream closes the handle when it ends or fails.
  await pipeline(handle.createReadStream({ highWaterMark: 1 << 20 }), hash);
  return hash.digest('hex');
}

/** Undefined when the file is intact; otherwise what is wrong with it. */
export async function backupProblem(expected: BackupIdentity): Promise<string | undefined> {
  let bytes: number;
  try {
    bytes = (await stat(expected.file)).size;
  } catch {
    return `the backup ${expected.file} is missing`;
  }
  if (bytes !== expected.bytes)
    return `the backup ${expected.file} is ${bytes} bytes, but ${expected.bytes} were recorded`;
  let sha256: string;
  try {
    sha256 = await sha256File(expected.file);
  } catch (error) {
    if (isNotRegularFile(error)) return `the backup ${error.message}`;
    throw error;
  }
  if (sha256 !== expected.sha256) return `the backup ${expected.file} has changed since it was made (sha256 differs)`;
  return undefined;
}
