/**
 * HA, before the restore: the bootstrapper's `destroy --replica-id` for one replica other than the one
 * restored (destroy acts on one replica only [CLI refs], so a cluster needs one per replica). Behind the
 * same gate as the restore (protections.ts), re-checked right before each destroy, and confirmed with
 * the id of the replica that will be restored: the box names every replica and node the migration
 * destroys, restores and joins.
 */
import { z } from 'zod';
import { destroyCommand } from '../docker/dtr-commands.js';
import { apiPaths } from '../dtr/facts.js';
import { destroyReplicaStepId, sequenceLines, where, type ReplicaPlace, type Topology } from '../dtr/topology.js';
import { unanswered } from '../api/client.js';
import type { MigrationStep, StepContext } from './step.js';
import {
  bootstrapperInputs,
  bootstrapperTarget,
  describeNewStorage,
  destroyGateInputs,
  newStorage,
  replicaConfirmation,
} from './common/bootstrapper.js';
import { checkProtections } from './common/protections.js';
import { replicaContainersLeft, replicaState } from './common/replicas.js';
import { mayBePartlyDestroyed } from './common/attempts.js';

const outputSchema = z.object({ replicaId: z.string(), node: z.string().optional() });
type Output = z.infer<typeof outputSchema>;

/** Gone from the docker host, and (while DTR answers) from cluster_status: undefined, else what is left. */
async function leftOf(ctx: StepContext, replica: ReplicaPlace): Promise<string | undefined> {
  if (await replicaContainersLeft(ctx, replica.id)) return `the containers of ${where(replica)} are still there`;
  try {
    const state = await replicaState(ctx, replica.id);
    return state.kind === 'absent' ? undefined : `DTR still lists replica ${replica.id} in cluster_status`;
  } catch (error) {
    // The replicas left may have lost their majority and stopped answering: docker's word is enough then.
    if (unanswered(error)) return undefined;
    throw error;
  }
}

const outputOf = (replica: ReplicaPlace): Output => ({
  replicaId: replica.id,
  ...(replica.node === undefined ? {} : { node: replica.node }),
});

export function destroyReplicaStep(replica: ReplicaPlace, topology: Topology): MigrationStep<Output> {
  return {
    id: destroyReplicaStepId(replica.id),
    title: `Destroy ${where(replica)}`,
    purpose: `Remove ${where(replica)} before the restore: a restore gives one replica, and the others join it afterwards.`,
    inputs: [...bootstrapperInputs, ...destroyGateInputs],
    output: outputSchema,

    async confirmation(ctx) {
      const { lines } = await checkProtections(ctx, `the destroy of replica ${replica.id}`);
      const sequence = sequenceLines(topology, describeNewStorage(newStorage(ctx.inputs)));
      return {
        expect: ctx.inputs.replicaId,
        ...replicaConfirmation(ctx, `to destroy every replica of this DTR as listed, then restore it`),
        willDestroy: [`every replica of this DTR (${topology.joined.length + 1}), one at a time:`, ...sequence],
        protections: lines,
      };
    },

    plan: (ctx) => [
      {
        kind: 'check',
        description:
          "backup size and sha256 unchanged; the old storage DTR's and holding every tag; the new storage verified again now; GC off; then the operator types the id of the replica restored",
      },
      {
        kind: 'docker',
        command: ctx.describeDocker(
          destroyCommand({ ...bootstrapperTarget(ctx.inputs, ctx.certificates), replicaId: replica.id }),
        ),
        why: `remove ${where(replica)} (the cluster's metadata is in the backup; it joins again after the restore)`,
      },
      {
        kind: 'http',
        method: 'GET',
        path: apiPaths.clusterStatus,
        why: `replica ${replica.id} is no longer listed (and docker ps shows none of its containers)`,
      },
    ],

    async run(ctx) {
      const target = { ...bootstrapperTarget(ctx.inputs, ctx.certificates), replicaId: replica.id };
      ctx.progress(`destroying ${where(replica)}`);
      await ctx.checkpoint({ destroyStartedAt: new Date().toISOString(), destroyedAt: undefined });
      ctx.api.expectDowntime(true);
      await ctx.docker
        .run(destroyCommand(target), { signal: ctx.signal, purpose: `the destroy of replica ${replica.id}` })
        .catch((error: unknown) => {
          throw mayBePartlyDestroyed(error);
        });
      await ctx.checkpoint({ destroyedAt: new Date().toISOString() });
      return outputOf(replica);
    },

    async verify(ctx) {
      const left = await leftOf(ctx, replica);
      if (left !== undefined)
        return {
          ok: false,
          reason: left,
          hint: 'Run `dtr-migrate migrate` again: the destroy of this replica is run again (it removes what is left).',
        };
      return {
        ok: true,
        facts: [`${where(replica)} destroyed: no container of it is left, and DTR does not list it`],
      };
    },

    /** A destroy that an earlier run got through (nothing of the replica left) is not run again. */
    async probe(ctx) {
      return (await leftOf(ctx, replica)) === undefined ? outputOf(replica) : undefined;
    },
  };
}
