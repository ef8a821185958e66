/**
 * What the replica steps of an HA cluster ask DTR and the docker host: whether a replica is listed and
 * healthy (cluster_status), whether its containers are gone (docker ps), waiting for one to be
 * healthy after a join, and the NFS mount options of its NFS volume.
 */
import type { Docker } from '../../docker/docker.js';
import { inspectVolumeOptionsCommand, listReplicaContainersCommand } from '../../docker/dtr-commands.js';
import { healthyReplicaStatus, nfsMountOptions, nfsVolume, rethinkContainer, volumeOnNode } from '../../dtr/facts.js';
import { where, type ReplicaPlace } from '../../dtr/topology.js';
import { MigrateError, isMigrateError } from '../../errors.js';
import type { StepContext } from '../step.js';
import { volumeOptionsSchema } from './new-storage-check.js';

const healthWaitMs = 10 * 60_000;
const healthPollMs = 1_000;

/** `absent` (not in cluster_status), `healthy`, or what it reports instead of "OK". */
export type ReplicaState =
  { readonly kind: 'absent' } | { readonly kind: 'healthy' } | { readonly kind: 'unhealthy'; readonly health: string };

export async function replicaState(ctx: StepContext, replicaId: string): Promise<ReplicaState> {
  const health = (await ctx.api.clusterStatus()).replica_health[replicaId];
  if (health === undefined) return { kind: 'absent' };
  return health === healthyReplicaStatus ? { kind: 'healthy' } : { kind: 'unhealthy', health };
}

/** The replicas cluster_status lists that are not healthy, as `id: health`. */
export async function unhealthyReplicas(ctx: StepContext): Promise<string[]> {
  const health = (await ctx.api.clusterStatus()).replica_health;
  return Object.entries(health)
    .filter(([, text]) => text !== healthyReplicaStatus)
    .map(([id, text]) => `${id}: "${text}"`);
}

/** Does the docker host still run (or keep) any DTR container of this replica? */
export async function replicaContainersLeft(ctx: StepContext, replicaId: string): Promise<boolean> {
  const { stdout } = await ctx.docker.run(listReplicaContainersCommand(), {
    signal: ctx.signal,
    purpose: `looking for the containers of replica ${replicaId}`,
  });
  return stdout.split('\n').some((line) => line.trim() === rethinkContainer(replicaId));
}

/**
 * Polls until cluster_status reports the replica healthy: a restored or reconfigured DTR restarts, a joined
 * replica syncs its tables first. `hint` says what to do when it does not within healthWaitMs.
 */
export async function waitUntilHealthy(
  ctx: StepContext,
  replicaId: string,
  after: string,
  hint = 'Check the DTR containers on its node; then run `dtr-migrate migrate` again (it looks at the replica before joining it again).',
): Promise<void> {
  const deadline = Date.now() + healthWaitMs;
  for (;;) {
    try {
      const state = await replicaState(ctx, replicaId);
      if (state.kind === 'healthy') return;
      ctx.progress(
        `waiting for replica ${replicaId} to report healthy${state.kind === 'unhealthy' ? ` (now "${state.health}")` : ''}`,
      );
    } catch (error) {
      if (isMigrateError(error) && (error.code === 'API_AUTH' || error.code === 'API_FORBIDDEN')) throw error;
      ctx.progress(`waiting for DTR to answer after the ${after}`);
    }
    if (Date.now() > deadline) {
      throw new MigrateError(
        'STEP_FAILED',
        `DTR did not report replica ${replicaId} healthy within ${healthWaitMs / 60_000} minutes of the ${after}`,
        { hint },
      );
    }
    await ctx.sleep(healthPollMs);
  }
}

/**
 * The NFS mount options of the replica's NFS volume on its node (facts.ts, nfsMountOptions); undefined
 * when it has no NFS volume there (it does not mount NFS itself) or the volume names none. Anything else
 * (docker or UCP not answering) is thrown: options taken as none would be lost.
 */
export async function replicaNfsOptions(
  docker: Docker,
  replica: Pick<ReplicaPlace, 'id' | 'node'>,
  signal: AbortSignal,
): Promise<string | undefined> {
  const volume = replica.node === undefined ? nfsVolume(replica.id) : volumeOnNode(replica.node, nfsVolume(replica.id));
  try {
    const options = await docker.json(inspectVolumeOptionsCommand(volume), volumeOptionsSchema, {
      signal,
      purpose: `reading the NFS options of ${where(replica)}`,
    });
    return nfsMountOptions(options);
  } catch (error) {
    if (isMigrateError(error) && error.code === 'DOCKER_FAILED' && /no such volume/i.test(error.message))
      return undefined;
    throw error;
  }
}
