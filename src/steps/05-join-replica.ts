/**
 * HA, after the restore: `join` one replica to the restored one, on its own node, with its own id and
 * ports [CLI refs; launchpad joins the same way], one at a time, each healthy before the next. A join
 * into an unhealthy cluster is refused (DTR refuses it too, unless --unsafe-join, which is never used).
 * A join an earlier run started is looked at before it is run again: a replica that is listed and
 * healthy is checked, not joined twice.
 */
import { z } from 'zod';
import { joinCommand } from '../docker/dtr-commands.js';
import { apiPaths } from '../dtr/facts.js';
import { joinReplicaStepId, where, type ReplicaPlace, type Topology } from '../dtr/topology.js';
import { MigrateError } from '../errors.js';
import type { MigrationStep, StepContext, Verification } from './step.js';
import {
  bootstrapperInputs,
  bootstrapperTarget,
  describeNewStorage,
  newStorage,
  newStorageInputs,
} from './common/bootstrapper.js';
import { storageMismatch } from './common/new-storage-check.js';
import { replicaState, unhealthyReplicas, waitUntilHealthy } from './common/replicas.js';

const outputSchema = z.object({ replicaId: z.string(), node: z.string(), storage: z.string() });
type Output = z.infer<typeof outputSchema>;

/** The replica as it joins: its node (a placeholder in plans when the settings named none), id and ports. */
function joining(replica: ReplicaPlace) {
  const node = replica.node ?? '<node>';
  return {
    id: replica.id,
    node,
    ...(replica.httpPort === undefined ? {} : { httpPort: replica.httpPort }),
    ...(replica.httpsPort === undefined ? {} : { httpsPort: replica.httpsPort }),
  };
}

async function refuseUnhealthyCluster(ctx: StepContext, replica: ReplicaPlace): Promise<void> {
  const sick = await unhealthyReplicas(ctx);
  if (sick.length === 0) return;
  throw new MigrateError(
    'STEP_FAILED',
    `${where(replica)} is not joined while the cluster is unhealthy (${sick.join(', ')}); nothing was changed`,
    {
      hint: 'Wait until every replica reports healthy (DTR System > Status), then run `dtr-migrate migrate` again; dtr-migrate never joins with --unsafe-join.',
    },
  );
}

async function joined(ctx: StepContext, replica: ReplicaPlace): Promise<Verification> {
  const state = await replicaState(ctx, replica.id);
  const hint = 'Check the DTR containers on its node, then run `dtr-migrate migrate` again.';
  if (state.kind !== 'healthy')
    return {
      ok: false,
      reason: `replica ${replica.id} ${state.kind === 'absent' ? 'is not listed by DTR' : `reports "${state.health}"`}`,
      hint,
    };
  const storage = newStorage(ctx.inputs);
  const mismatch = await storageMismatch(ctx.docker, replica.id, storage, ctx.signal);
  if (mismatch !== undefined) return { ok: false, reason: `replica ${replica.id}: ${mismatch}`, hint };
  return {
    ok: true,
    facts: [`${where(replica)} joined and healthy`, `it serves images from ${describeNewStorage(storage)}`],
    data: { dtr: { replicaId: replica.id, storage: describeNewStorage(storage) } },
  };
}

export function joinReplicaStep(replica: ReplicaPlace, topology: Topology): MigrationStep<Output> {
  const place = joining(replica);
  const outputOf = (ctx: StepContext): Output => ({
    replicaId: replica.id,
    node: place.node,
    storage: describeNewStorage(newStorage(ctx.inputs)),
  });
  return {
    id: joinReplicaStepId(replica.id),
    title: `Join ${where(replica)} again`,
    purpose: `Add ${where(replica)} back to the restored replica ${topology.restored.id}, with its own id and ports, so the cluster has all its replicas on the new storage.`,
    inputs: [...bootstrapperInputs, ...newStorageInputs],
    output: outputSchema,

    plan: (ctx) => [
      { kind: 'http', method: 'GET', path: apiPaths.clusterStatus, why: 'every replica healthy before the join' },
      {
        kind: 'docker',
        command: ctx.describeDocker(joinCommand(bootstrapperTarget(ctx.inputs, ctx.certificates), place)),
        why: `join ${where(replica)} to replica ${topology.restored.id}, with its own id and ports`,
      },
      {
        kind: 'check',
        description: `replica ${replica.id} listed and healthy in cluster_status, its registry container serving the new storage`,
      },
    ],

    async run(ctx) {
      if (replica.node === undefined)
        throw new MigrateError('STEP_FAILED', `DTR's settings named no node for replica ${replica.id}`, {
          hint: 'Join it by hand with docker/dtr join --ucp-node <its node>, then run `dtr-migrate migrate` again.',
        });
      await refuseUnhealthyCluster(ctx, replica);
      await ctx.checkpoint({ joinStartedAt: new Date().toISOString() });
      ctx.progress(`joining ${where(replica)} to replica ${topology.restored.id}`);
      await ctx.docker.run(joinCommand(bootstrapperTarget(ctx.inputs, ctx.certificates), place), {
        signal: ctx.signal,
        purpose: `the join of replica ${replica.id}`,
      });
      await waitUntilHealthy(ctx, replica.id, `join of replica ${replica.id}`);
      await ctx.checkpoint({ joinedAt: new Date().toISOString() });
      return outputOf(ctx);
    },

    verify: (ctx) => joined(ctx, replica),

    /**
     * A join an earlier run started (killed, or failed half-way): listed and healthy, it is checked and
     * not joined again; not listed, it is joined again; listed but not healthy, the run stops (joining a
     * replica DTR already has is refused, and it may still be syncing).
     */
    async probe(ctx) {
      const state = await replicaState(ctx, replica.id);
      if (state.kind === 'absent') return undefined;
      if (state.kind === 'healthy') return outputOf(ctx);
      throw new MigrateError(
        'STEP_FAILED',
        `replica ${replica.id} was joined by an earlier run, but reports "${state.health}"; it is not joined again`,
        {
          hint: `Wait for it to sync and report healthy, then run \`dtr-migrate migrate\` again; if it cannot recover, remove it (docker/dtr remove --existing-replica-id ${topology.restored.id} --replica-ids ${replica.id}) and run again with --redo ${joinReplicaStepId(replica.id)}.`,
        },
      );
    },
  };
}
