/**
 * The backup file's identity: size and sha256, computed by streaming (backups can be large), and the
 * check that the file on disk is still the one the backup step verified.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';

export interface BackupIdentity {
  readonly file: string;
  readonly bytes: number;
  readonly sha256: string;
}

export async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256');
  await pipeline(createReadStream(file, { highWaterMark: 1 << 20 }), hash);
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
  const sha256 = await sha256File(expected.file);
  if (sha256 !== expected.sha256) return `the backup ${expected.file} has changed since it was made (sha256 differs)`;
  return undefined;
}
