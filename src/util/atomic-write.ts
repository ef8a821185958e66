/**
 * Atomic file writes: readers see either the old or the new content, never half of it, and the new
 * content survives a power cut once the call returns.
 */
import { randomBytes } from 'node:crypto';
import { open, rename, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';
import { MigrateError } from '../errors.js';

/** Writes a file so that readers see either the old or the new content; owner-only permissions. */
export async function writeFileAtomic(file: string, content: string): Promise<void> {
  const temp = `${file}.${randomBytes(4).toString('hex')}.tmp`;
  const handle = await open(temp, 'wx', 0o600);
  try {
    try {
      await handle.writeFile(content);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, file);
  } catch (error) {
    // A full disk (ENOSPC) or a failed rename leaves no temporary file behind.
    await unlink(temp).catch(() => undefined);
    throw error;
  }
  // The rename itself is durable only once the directory is: a power cut must not bring back the
  // journal from before `destroyStartedAt` was noted.
  const dir = await open(dirname(file), 'r').catch(() => undefined);
  await dir?.sync().catch(() => undefined);
  await dir?.close();
}

const writeFailures: Record<string, string> = {
  ENOSPC: 'no space left on its device',
  EDQUOT: 'the disk quota is used up',
  EROFS: 'its filesystem is read-only',
  EACCES: 'no permission',
  EPERM: 'no permission',
};

/**
 * A failed write of a state file (journal, inventory) as an error that names the file and why, instead of
 * a bare errno; errors of other kinds pass through.
 */
export function explainWriteFailure(
  what: string,
  file: string,
  error: unknown,
  how: { readonly hint: string; readonly effect: string },
): unknown {
  const code = (error as NodeJS.ErrnoException).code ?? '';
  const why = writeFailures[code];
  if (why === undefined) return error;
  return new MigrateError(
    'STATE_DIR_UNUSABLE',
    `${what} cannot be written to ${file}: ${why} (${code}); ${how.effect}`,
    {
      hint: how.hint,
      cause: error,
    },
  );
}
