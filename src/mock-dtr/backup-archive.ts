/**
 * The mock bootstrapper's backup, in the layout DTR documents: `dtr-backup-v<version>/rethink/<table>/<n>`
 * [backup docs], written with node-tar's headers (src/backup/tar.ts) as Go's archive/tar would. Which
 * tables and what is in each chunk are the mock's own choice [mock choice]: one JSON array per table in
 * chunk `0`, for the tables the mock models (properties: settings, the replica and storage it was
 * taken from; crons; repositories with their tags; jobs).
 */
import { z } from 'zod';
import { createTar, extractTar } from '../backup/tar.js';
import { backupRoot, backupVersionOf } from '../dtr/facts.js';
import { mockStorageSchema } from './stand-in-protocol.js';
import type { MockState } from './state.js';

const tables = ['properties', 'crons', 'repositories', 'jobs'] as const;
type Table = (typeof tables)[number];
const chunk = (version: string, table: Table): string => `${backupRoot(version)}/rethink/${table}/0`;

const propertiesSchema = z.tuple([
  z.object({ id: z.literal('settings'), value: z.looseObject({ readOnlyRegistry: z.boolean(), dtrHost: z.string() }) }),
  z.object({ id: z.literal('backup'), value: z.object({ replicaId: z.string(), createdAt: z.string() }) }),
  z.object({ id: z.literal('storage'), value: mockStorageSchema }),
]);
const cronSchema = z.object({
  id: z.string(),
  action: z.string(),
  schedule: z.string(),
  retries: z.number(),
  capacityMap: z.record(z.string(), z.number()),
  parameters: z.record(z.string(), z.string()),
  deadline: z.string(),
  stopTimeout: z.string(),
  nextRun: z.string(),
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
const jobSchema = z.object({
  id: z.string(),
  action: z.string(),
  workerID: z.string(),
  parameters: z.record(z.string(), z.string()),
  scheduledAt: z.number(),
  runningAt: z.number(),
  endsAt: z.number(),
  outcome: z.enum(['done', 'errored']),
  cancelRequestedAt: z.number().optional(),
  workerDied: z.literal(true).optional(),
});

export interface BackupContent {
  readonly version: string;
  readonly replicaId: string;
  readonly settings: MockState['settings'];
  readonly crons: MockState['crons'];
  readonly repositories: MockState['repositories'];
  readonly jobs: MockState['jobs'];
  readonly storage: MockState['storage'];
}

const jsonEntry = (name: string, value: unknown) => ({ name, content: Buffer.from(`${JSON.stringify(value)}\n`) });

export function createBackupArchive(state: MockState, now: number): Buffer {
  const properties = [
    { id: 'settings', value: state.settings },
    { id: 'backup', value: { replicaId: state.replicaId, createdAt: new Date(now).toISOString() } },
    { id: 'storage', value: state.storage },
  ];
  const content: Record<Table, unknown> = {
    properties,
    crons: state.crons,
    repositories: state.repositories,
    jobs: state.jobs,
  };
  return createTar(
    tables.map((table) => jsonEntry(chunk(state.version, table), content[table])),
    Math.floor(now / 1000),
  );
}

export type BackupParse =
  { readonly ok: true; readonly backup: BackupContent } | { readonly ok: false; readonly reason: string };

/** Reads a backup, refusing anything that is not a whole tar holding every table the mock writes. */
export async function parseBackupArchive(archive: Buffer): Promise<BackupParse> {
  if (archive.length === 0)
    return { ok: false, reason: 'nothing was read on stdin (run docker with -i and redirect the backup into it)' };
  let files: Map<string, Buffer>;
  try {
    files = await extractTar(archive);
  } catch (error) {
    return { ok: false, reason: `the data on stdin is not a complete tar archive: ${(error as Error).message}` };
  }
  const version = [...files.keys()].map(backupVersionOf).find((v) => v !== undefined);
  if (version === undefined) return { ok: false, reason: 'the archive is not a DTR backup: no dtr-backup-v<version>' };
  const read = <S extends z.ZodType>(table: Table, schema: S): z.infer<S> => {
    const content = files.get(chunk(version, table));
    if (content === undefined) throw new Error(`table ${table} is missing`);
    return schema.parse(JSON.parse(content.toString('utf8')));
  };
  try {
    const [settings, backup, storage] = read('properties', propertiesSchema);
    return {
      ok: true,
      backup: {
        version,
        replicaId: backup.value.replicaId,
        settings: settings.value,
        crons: read('crons', z.array(cronSchema)),
        repositories: read('repositories', z.array(repositorySchema)),
        jobs: read('jobs', z.array(jobSchema)),
        storage: storage.value,
      },
    };
  } catch (error) {
    return { ok: false, reason: `the archive is not a DTR backup: ${(error as Error).message}` };
  }
}
