/** Directory creation that fails instead of spinning. */
import { mkdir, stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';

/**
 * mkdir -p, one level at a time. Node's recursive mkdir retries forever where mkdir fails with ENOENT
 * under an existing directory (/proc, some FUSE mounts); here each level fails once, with its code.
 */
export async function makeDirectories(dir: string, mode?: number): Promise<void> {
  const missing: string[] = [];
  for (let current = resolve(dir); ; current = dirname(current)) {
    const exists = await stat(current).then(
      () => true,
      (error: NodeJS.ErrnoException) => {
        if (error.code === 'ENOENT') return false;
        throw error;
      },
    );
    if (exists || dirname(current) === current) break;
    missing.unshift(current);
  }
  for (const level of missing) {
    await mkdir(level, mode === undefined ? {} : { mode }).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'EEXIST') throw error;
    });
  }
}
