/**
 * "Migration complete" is said only after this live check, never from the journal alone (a journal is a
 * record of intent: it may be stale, from another DTR, or edited): the replica is healthy, DTR serves
 * images from the new storage, and every tag of the inventory taken before the change is listed with the
 * same digest. `migrate` runs it once every step is verified, and `status` when it can reach DTR.
 */
import type { DtrClient } from '../api/client.js';
import type { HttpOptions } from '../api/http.js';
import { connectionInputs, connectionOf } from '../config/connection.js';
import { howToGive, type ResolvedInputs } from '../config/inputs.js';
import type { Docker } from '../docker/docker.js';
import { healthyReplicaStatus } from '../dtr/facts.js';
import { procedures, type ProcedureId } from '../dtr/procedures.js';
import { isMigrateError } from '../errors.js';
import { gatherEvidence } from '../inventory/evidence.js';
import { readInventory } from '../inventory/tags.js';
import type { JournalData } from '../runner/journal.js';
import type { Verification } from '../runner/step.js';
import type { BackupOutput } from '../steps/03-backup.js';
import { describeNewStorage, newStorage } from '../steps/common/bootstrapper.js';
import { storageMismatch } from '../steps/common/new-storage-check.js';
import type { Session } from './session.js';

export interface CompletionCheck {
  readonly api: DtrClient;
  readonly docker: Docker;
  readonly connection: HttpOptions;
  readonly signal: AbortSignal;
  readonly inputs: Pick<ResolvedInputs, 'replicaId' | 'targetStorage'> &
    Partial<Pick<ResolvedInputs, 'targetVolume' | 'targetNfsUrl'>>;
  /** What the journal says the backup step left (its inventory), and whether the procedure keeps the tags. */
  readonly backup: BackupOutput | undefined;
  readonly keepsTags: boolean;
  /** Every replica of an HA cluster (default: the one replica): each must be healthy on the new storage. */
  readonly replicas?: readonly string[];
}

const notDone = (reason: string): Verification => ({
  ok: false,
  reason,
  hint: 'Look at DTR itself (`dtr-migrate verify`, `docker container inspect dtr-registry-<replica>`). A journal that is not this DTR’s, or was edited, does not make a migration: move it away and start again.',
});

export async function checkCompletion(check: CompletionCheck): Promise<Verification> {
  const { replicaId } = check.inputs;
  const replicas = check.replicas ?? [replicaId];
  const health = (await check.api.clusterStatus()).replica_health;
  const storage = newStorage(check.inputs);
  for (const id of replicas) {
    if (health[id] !== healthyReplicaStatus) return notDone(`replica ${id} reports "${health[id] ?? 'nothing'}"`);
    const mismatch = await storageMismatch(check.docker, id, storage, check.signal);
    if (mismatch !== undefined) return notDone(replicas.length > 1 ? `replica ${id}: ${mismatch}` : mismatch);
  }
  const serving =
    replicas.length > 1
      ? `DTR serves images from ${describeNewStorage(storage)} on all ${replicas.length} replicas, each healthy (checked just now)`
      : `DTR serves images from ${describeNewStorage(storage)}; replica ${replicaId} is healthy (checked just now)`;
  if (!check.keepsTags) return { ok: true, facts: [serving, 'tags erased, as accepted'] };
  if (check.backup === undefined) return notDone('the journal holds no inventory from before the migration');
  const evidence = await gatherEvidence({
    api: check.api,
    connection: check.connection,
    before: await readInventory(check.backup.inventoryFile),
    pullCheck: 'none',
    signal: check.signal,
  });
  if (!evidence.ok) return notDone(`${evidence.summary}: ${evidence.problems.slice(0, 3).join('; ')}`);
  return { ok: true, facts: [serving, evidence.summary] };
}

/** What `status` can say of a journal whose every step is verified. */
export type LiveCompletion =
  { readonly checked: true; readonly verification: Verification } | { readonly checked: false; readonly why: string };

/**
 * The final check from a session that only reads (`status`): without the credentials or an answer from
 * DTR it says it could not check, and never claims the migration complete on the journal's word.
 */
export async function checkCompletionLive(session: Session, data: JournalData): Promise<LiveCompletion> {
  const { inputs } = session;
  const missing = inputs.missing([...connectionInputs, 'replicaId', 'targetStorage']);
  if (missing.length > 0) return { checked: false, why: `${missing.map(howToGive).join(', ')} not given` };
  try {
    const api = await session.client();
    // How the new storage was named to DTR, as the journal kept it.
    for (const key of ['targetVolume', 'targetNfsUrl'] as const) inputs.peek(key);
    const resolved = inputs.snapshot();
    const verification = await checkCompletion({
      api,
      docker: session.docker(),
      connection: connectionOf(resolved),
      signal: session.options.signal,
      inputs: resolved,
      backup: data.steps['backup']?.output as BackupOutput | undefined,
      keepsTags: procedures[data.procedure as ProcedureId]?.keepsTags ?? true,
    });
    return { checked: true, verification };
  } catch (error) {
    if (!isMigrateError(error) || !/^(API|DOCKER)_/.test(error.code)) throw error;
    return { checked: false, why: error.message };
  }
}
