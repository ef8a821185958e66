/**
 * Where the mock's starting repositories and storage come from, so that its metadata matches what the
 * storage really holds:
 * - `repositories` given: used as they are (storage: `storageDir`, or the default volume);
 * - `storageDir` holding a registry layout: its tags are read from it;
 * - `storageDir` empty or missing: the default sample registry is written into it;
 * - neither: the default sample registry's metadata, in memory only, on the default volume (nothing is
 *   written: there is no folder to copy images from, which is fine for API-only tests).
 */
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { readRegistryRepositories, registryRoot } from './registry-layout.js';
import { createSampleRegistry, planSampleRegistry } from './sample-registry.js';
import type { MockStorage } from './state.js';
import type { MockRepositoryInput } from './types.js';

export interface InitialData {
  readonly repositories: readonly MockRepositoryInput[];
  readonly storage: MockStorage;
}

async function hasRegistryLayout(storageDir: string): Promise<boolean> {
  try {
    return (await stat(join(storageDir, registryRoot, 'repositories'))).isDirectory();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
}

export async function resolveInitialData(
  storageDir: string | undefined,
  repositories: readonly MockRepositoryInput[] | undefined,
): Promise<InitialData> {
  if (storageDir === undefined) {
    return { repositories: repositories ?? planSampleRegistry().repositories, storage: { kind: 'default' } };
  }
  const storage: MockStorage = { kind: 'path', path: storageDir };
  if (repositories !== undefined) return { repositories, storage };
  if (await hasRegistryLayout(storageDir)) return { repositories: await readRegistryRepositories(storageDir), storage };
  return { repositories: (await createSampleRegistry(storageDir)).repositories, storage };
}
