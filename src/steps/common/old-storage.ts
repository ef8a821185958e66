/**
 * How DTR named its storage before the migration, recorded with the backup (while DTR still runs) so a
 * rollback after a destroy can restore DTR onto that same storage: there is no DTR left to ask then.
 * Read from the registry container's /storage mount as the docker host reports it.
 */
import { z } from 'zod';
import { defaultStorageVolume, nfsVolume } from '../../dtr/facts.js';
import { isMigrateError } from '../../errors.js';
import type { StepContext } from '../step.js';
import { servedStorage } from './new-storage-check.js';

/** The storage as a restore names it (NewStorage), and how docker showed it. */
export const storageBeforeSchema = z.object({
  shown: z.string(),
  restoreAs: z.discriminatedUnion('kind', [
    z.object({ kind: z.literal('volume'), volume: z.string() }),
    z.object({ kind: z.literal('nfs'), url: z.string() }),
    z.object({ kind: z.literal('nfs-volume'), url: z.string(), volume: z.string() }),
  ]),
});
export type StorageBefore = z.infer<typeof storageBeforeSchema>;

/**
 * What DTR serves images from now, as a restore would name it; undefined when the docker host cannot say.
 * DTR's own NFS volume is named by its URL (a restore makes the volume again); any other volume or a
 * bind-mounted host path by itself.
 */
export async function readStorageBefore(ctx: StepContext): Promise<StorageBefore | undefined> {
  const replicaId = ctx.inputs.replicaId;
  try {
    const served = await servedStorage(ctx.docker, replicaId, ctx.signal);
    if (served === undefined) return undefined;
    if (served.nfs !== undefined && served.volume === nfsVolume(replicaId))
      return { shown: served.shown, restoreAs: { kind: 'nfs', url: `nfs://${served.nfs.host}${served.nfs.path}` } };
    return { shown: served.shown, restoreAs: { kind: 'volume', volume: served.volume ?? served.hostPath } };
  } catch (error) {
    if (!isMigrateError(error) || (error.code !== 'DOCKER_FAILED' && error.code !== 'DOCKER_MISSING')) throw error;
    ctx.log(`could not record which storage DTR serves from, for a rollback: ${error.message}`);
    return undefined;
  }
}

/**
 * Undefined when DTR can be restored onto the storage it had; otherwise why not. DTR's default local
 * volume is one of the volumes the bootstrapper's destroy removes [doc], so after a destroy that storage
 * is gone (the copy holds the data).
 */
export function storageBeforeProblem(before: StorageBefore | undefined, replicaId: string): string | undefined {
  if (before === undefined)
    return 'the journal does not say how DTR named its storage before the migration (it is recorded with the backup)';
  const { restoreAs } = before;
  if (restoreAs.kind === 'volume' && restoreAs.volume === defaultStorageVolume(replicaId))
    return `the old storage was DTR's default volume ${restoreAs.volume}, which the destroy removed`;
  return undefined;
}
