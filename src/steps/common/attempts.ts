/**
 * How a destructive step (restore, reconfigure) notes the attempts of its bootstrapper command in its
 * checkpoint, and how a later run reads them back: `started` before the command may run, `failed` when
 * the command itself failed, `done` once it finished. Only a run killed while the command ran leaves
 * the outcome open; then DTR is asked, and only a clear answer decides.
 */
import { answeredDown } from '../../api/client.js';
import type { DockerCommand } from '../../docker/dtr-commands.js';
import { Docker, type DockerRunOptions } from '../../docker/docker.js';
import { MigrateError, isMigrateError } from '../../errors.js';
import type { StepContext } from '../step.js';
import { newStorage } from './bootstrapper.js';
import { storageMismatch } from './new-storage-check.js';

export interface AttemptMarks {
  readonly started: string;
  readonly done: string;
  readonly failed: string;
}

/**
 * Runs the command; if it failed of itself (a non-zero exit, not a docker client killed or interrupted
 * while the container may still be at work), notes `failed` before throwing.
 */
export async function runNotingFailure(
  ctx: StepContext,
  command: DockerCommand,
  options: DockerRunOptions,
  failed: string,
): Promise<void> {
  await ctx.docker.run(command, options).catch(async (error: unknown) => {
    if (Docker.failedOnItsOwn(error) && !ctx.signal.aborted)
      await ctx.checkpoint({ [failed]: new Date().toISOString() });
    throw error;
  });
}

/** Did an earlier run finish the command? Noted done: yes; never started, or failed: no; else DTR says. */
export async function finishedEarlier(
  ctx: StepContext,
  what: 'restore' | 'reconfigure',
  marks: AttemptMarks,
): Promise<boolean> {
  const saved = ctx.saved() ?? {};
  if (saved[marks.done] !== undefined) return true;
  if (saved[marks.started] === undefined || saved[marks.failed] !== undefined) return false;
  return earlierRunFinished(ctx, what);
}

/**
 * For the probes of restore and reconfigure, when a run was killed while the docker command ran (it may
 * have finished): did it? A restore recreates the replica that destroy removed, so DTR listing it means
 * the restore ran; a reconfigure keeps the replica, and ran if DTR's registry mounts the new storage.
 * False only on a clear answer (the replica absent, the old storage, DTR down: refused or 5xx); then the
 * step runs again. Anything that leaves it open stops the run: a finished restore is never repeated on
 * a guess. Whether it is healthy and kept the tags is for the runner's check that follows.
 */
export async function earlierRunFinished(ctx: StepContext, what: 'restore' | 'reconfigure'): Promise<boolean> {
  try {
    const listed = ctx.inputs.replicaId in (await ctx.api.clusterStatus()).replica_health;
    if (!listed || what === 'restore') return listed;
    return (await storageMismatch(ctx.docker, ctx.inputs.replicaId, newStorage(ctx.inputs), ctx.signal)) === undefined;
  } catch (error) {
    if (answeredDown(error)) {
      ctx.log(`DTR is down, so the ${what} did not finish: ${error instanceof Error ? error.message : String(error)}`);
      return false;
    }
    if (!isMigrateError(error) || error.code === 'INTERRUPTED') throw error;
    throw new MigrateError(
      'STEP_FAILED',
      `could not tell whether the ${what} of an earlier run finished (${error.message}); nothing was repeated`,
      {
        hint: `${error.hint ?? 'Check DTR and the docker host.'} Then run \`dtr-migrate migrate\` again; if you know it did not finish, add --redo ${what}.`,
      },
    );
  }
}

/** A failed destroy may have removed some of the replica: say so, and that resuming is the way on. */
export function mayBePartlyDestroyed(error: unknown): unknown {
  if (!isMigrateError(error) || error.code !== 'DOCKER_FAILED') return error;
  return new MigrateError(
    error.code,
    `${error.message}; DTR may be partly destroyed (its data is safe in the verified backup and the new storage)`,
    {
      hint: `${error.hint ?? ''} Resuming runs destroy again (harmless on a removed replica), then the restore.`.trim(),
      details: error.details,
      cause: error,
    },
  );
}
