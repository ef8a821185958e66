/**
 * After the switch from one NFS server to another: give a replica the NFS mount options it had on the
 * old server (dtr/facts.ts, nfsMountOptions). They act on one replica at a time, so each replica that
 * had options of its own gets a reconfigure naming it, onto the storage it already serves
 * (`--storage-migrated`, or on MSR 2.9 a plain reconfigure of an exact copy: the tags stay either way).
 * It runs only once the replica serves the new storage (else naming the URL would be a storage switch),
 * and runs nothing when the replica has its options already (DTR kept them, or an earlier run set
 * them); so a run killed at any point simply takes it again.
 */
import { z } from 'zod';
import { reconfigureCommand, type ReconfigureMode } from '../docker/dtr-commands.js';
import { apiPaths, sameNfsOptions } from '../dtr/facts.js';
import { nfsOptionsStepId, where, type ReplicaPlace } from '../dtr/topology.js';
import { MigrateError } from '../errors.js';
import type { MigrationStep, PlanContext, StepContext, Verification } from './step.js';
import {
  bootstrapperInputs,
  bootstrapperTarget,
  describeNewStorage,
  newStorage,
  newStorageInputs,
} from './common/bootstrapper.js';
import { storageMismatch } from './common/new-storage-check.js';
import { replicaNfsOptions, replicaState, waitUntilHealthy } from './common/replicas.js';

const outputSchema = z.object({ replicaId: z.string(), nfsOptions: z.string(), reconfigured: z.boolean() });
type Output = z.infer<typeof outputSchema>;

export type ReplicaWithNfsOptions = ReplicaPlace & { readonly nfsOptions: string };

/** Healthy, on the new storage, with its options: undefined; else what is not so. */
async function healthProblem(ctx: StepContext, replica: ReplicaPlace): Promise<string | undefined> {
  const state = await replicaState(ctx, replica.id);
  if (state.kind === 'healthy') return undefined;
  return state.kind === 'absent' ? 'it is not listed by DTR' : `it reports "${state.health}"`;
}

async function whatDiffers(ctx: StepContext, replica: ReplicaWithNfsOptions): Promise<string | undefined> {
  const health = await healthProblem(ctx, replica);
  if (health !== undefined) return health;
  const mismatch = await storageMismatch(ctx.docker, replica.id, newStorage(ctx.inputs), ctx.signal);
  if (mismatch !== undefined) return mismatch;
  const now = await replicaNfsOptions(ctx.docker, replica, ctx.signal);
  return sameNfsOptions(now, replica.nfsOptions)
    ? undefined
    : `its NFS volume mounts with "${now ?? "docker's defaults"}", not "${replica.nfsOptions}"`;
}

export function nfsOptionsStep(replica: ReplicaWithNfsOptions, mode: ReconfigureMode): MigrationStep<Output> {
  const command = (ctx: Pick<PlanContext, 'inputs' | 'certificates'>) =>
    reconfigureCommand(
      { ...bootstrapperTarget(ctx.inputs, ctx.certificates), replicaId: replica.id },
      newStorage(ctx.inputs),
      mode,
      replica.nfsOptions,
    );
  const output = (reconfigured: boolean): Output => ({
    replicaId: replica.id,
    nfsOptions: replica.nfsOptions,
    reconfigured,
  });
  return {
    id: nfsOptionsStepId(replica.id),
    title: `Give ${where(replica)} its NFS options back`,
    purpose: `DTR keeps NFS mount options per replica; ${replica.id} had "${replica.nfsOptions}" on the old server and gets them on the new one.`,
    inputs: [...bootstrapperInputs, ...newStorageInputs],
    output: outputSchema,

    plan: (ctx) => [
      {
        kind: 'check',
        description: `replica ${replica.id} healthy and serving the new storage; nothing is run if its NFS volume already has "${replica.nfsOptions}"`,
      },
      {
        kind: 'docker',
        command: ctx.describeDocker(command(ctx)),
        why: `set the NFS options of replica ${replica.id} (they act on the replica named only); the storage is the one it serves already, so the tags stay`,
      },
      { kind: 'http', method: 'GET', path: apiPaths.clusterStatus, why: 'wait until the replica reports healthy' },
      { kind: 'check', description: `replica ${replica.id}'s NFS volume mounts with "${replica.nfsOptions}"` },
    ],

    async run(ctx) {
      const notReady =
        (await healthProblem(ctx, replica)) ??
        (await storageMismatch(ctx.docker, replica.id, newStorage(ctx.inputs), ctx.signal));
      if (notReady !== undefined)
        throw new MigrateError(
          'STEP_FAILED',
          `the NFS options of ${where(replica)} are not set now: ${notReady}; nothing was run`,
          {
            hint: `A reconfigure naming the NFS URL is only safe once the replica serves it: check the DTR containers on ${replica.node ?? 'its node'}, then run \`dtr-migrate migrate\` again.`,
          },
        );
      // DTR kept them (or an earlier run, killed before its check, set them): nothing to run.
      if (sameNfsOptions(await replicaNfsOptions(ctx.docker, replica, ctx.signal), replica.nfsOptions))
        return output(false);
      ctx.progress(`setting the NFS options of replica ${replica.id} to ${replica.nfsOptions}`);
      await ctx.checkpoint({ reconfigureStartedAt: new Date().toISOString() });
      // The replica restarts; the API may be answered by it.
      ctx.api.expectDowntime(true);
      await ctx.docker.run(command(ctx), { signal: ctx.signal, purpose: `the reconfigure of replica ${replica.id}` });
      await waitUntilHealthy(
        ctx,
        replica.id,
        `reconfigure of replica ${replica.id}`,
        'Check the DTR containers on its node, then run `dtr-migrate migrate` again (setting the options again is harmless).',
      );
      ctx.api.expectDowntime(false);
      return output(true);
    },

    async verify(ctx): Promise<Verification> {
      const differs = await whatDiffers(ctx, replica);
      if (differs !== undefined)
        return {
          ok: false,
          reason: `replica ${replica.id}: ${differs}`,
          hint: `Check the DTR containers and the volume dtr-registry-nfs-${replica.id} on ${replica.node ?? 'its node'}, then run \`dtr-migrate migrate\` again.`,
        };
      return {
        ok: true,
        facts: [
          `${where(replica)} mounts ${describeNewStorage(newStorage(ctx.inputs))} with "${replica.nfsOptions}", as it did the old server`,
        ],
      };
    },
  };
}

/** The replicas whose own NFS options are given back, the restored (or reconfigured) one first. */
export function replicasWithNfsOptions(replicas: readonly ReplicaPlace[]): ReplicaWithNfsOptions[] {
  return replicas.filter((r): r is ReplicaWithNfsOptions => r.nfsOptions !== undefined);
}
