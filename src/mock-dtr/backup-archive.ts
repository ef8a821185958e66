/**
 * The mock bootstrapper's backup: a tar (src/backup/tar.ts) of the metadata DTR's backup holds
 * (configuration, crons, repositories and tags, version, replica id, storage), one JSON file per
 * "table". DTR does not document its entry names [inferred], so these are the mock's own; the product
 * must judge a backup by structure (inspectTar), never by these names.
 */
import { z } from 'zod';
import { cronSchema } from '../api/schemas.js';
import { createTar, extractTar } from '../backup/tar.js';
import { mockStorageSchema } from './stand-in-protocol.js';
import type { MockState } from './state.js';

const root = 'dtr-backup';
const entry = {
  meta: `${root}/meta.json`,
  settings: `${root}/rethink/properties/settings.json`,
  crons: `${root}/rethink/crons.json`,
  repositories: `${root}/rethink/repositories.json`,
  storage: `${root}/config/storage.json`,
} as const;

const metaSchema = z.object({
  format: z.literal('dtr-mock-backup'),
  formatVersion: z.literal(1),
  version: z.string(),
  replicaId: z.string(),
  createdAt: z.string(),
});
const tagSchema = z.object({
  name: z.string(),
  digest: z.string(),
  mediaType: z.string(),
  size: z.number(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
const repositorySchema = z.object({
  id: z.string(),
  namespace: z.string(),
  name: z.string(),
  visibility: z.enum(['private', 'public']),
  tags: z.array(tagSchema),
});

export interface BackupContent {
  readonly version: string;
  readonly replicaId: string;
  readonly settings: MockState['settings'];
  readonly crons: MockState['crons'];
  readonly repositories: MockState['repositories'];
  readonly storage: MockState['storage'];
}

const jsonEntry = (name: string, value: unknown) => ({
  name,
  content: Buffer.from(`${JSON.stringify(value, null, 2)}\n`),
});

export function createBackupArchive(state: MockState, now: number): Buffer {
  return createTar(
    [
      jsonEntry(entry.meta, {
        format: 'dtr-mock-backup',
        formatVersion: 1,
        version: state.version,
        replicaId: state.replicaId,
        createdAt: new Date(now).toISOString(),
      }),
      jsonEntry(entry.settings, state.settings),
      jsonEntry(entry.crons, state.crons),
      jsonEntry(entry.repositories, state.repositories),
      jsonEntry(entry.storage, state.storage),
    ],
    Math.floor(now / 1000),
  );
}

export type BackupParse =
  { readonly ok: true; readonly backup: BackupContent } | { readonly ok: false; readonly reason: string };

/** Reads a backup, refusing anything that is not a whole tar holding every entry the mock writes. */
export function parseBackupArchive(archive: Buffer): BackupParse {
  if (archive.length === 0)
    return { ok: false, reason: 'nothing was read on stdin (run docker with -i and redirect the backup into it)' };
  let files: Map<string, Buffer>;
  try {
    files = extractTar(archive);
  } catch (error) {
    return { ok: false, reason: `the data on stdin is not a complete tar archive: ${(error as Error).message}` };
  }
  const read = <S extends z.ZodType>(name: string, schema: S): z.infer<S> => {
    const content = files.get(name);
    if (content === undefined) throw new Error(`${name} is missing`);
    return schema.parse(JSON.parse(content.toString('utf8')));
  };
  try {
    const meta = read(entry.meta, metaSchema);
    return {
      ok: true,
      backup: {
        version: meta.version,
        replicaId: meta.replicaId,
        settings: read(entry.settings, z.looseObject({ readOnlyRegistry: z.boolean() })),
        crons: read(entry.crons, z.array(cronSchema)),
        repositories: read(entry.repositories, z.array(repositorySchema)),
        storage: read(entry.storage, mockStorageSchema),
      },
    };
  } catch (error) {
    return { ok: false, reason: `the archive is not a DTR backup: ${(error as Error).message}` };
  }
}
