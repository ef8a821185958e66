/**
 * The topology a migration acts on (dtr/topology.ts), found before any change: the replicas DTR lists
 * now, unless the rebuild of the cluster has begun (then the replicas destroyed are no longer listed,
 * and the topology the journal kept before it is the one). What the overview says of it: each replica's
 * role, a warning for an even count, and, for a storage named by volume, that the volume exists on every
 * replica's node (DTR needs it there, and a join onto a node without it fails after the destroy).
 */
import type { InputResolver } from '../config/resolve.js';
import type { ProcedureId } from '../dtr/procedures.js';
import type { Docker } from '../docker/docker.js';
import { inspectVolumeOnNodeCommand } from '../docker/dtr-commands.js';
import {
  evenReplicaWarning,
  isHighlyAvailable,
  rebuildStarted,
  recordedTopology,
  where,
  type ReplicaPlace,
  type Topology,
} from '../dtr/topology.js';
import { MigrateError, isMigrateError } from '../errors.js';
import type { JournalData } from '../runner/journal.js';
import { newStorage } from '../steps/common/bootstrapper.js';
import type { Findings } from './preflight.js';

/** Whether the journal says the cluster's rebuild began, and the topology it kept. */
export function journalTopology(data: JournalData | undefined): { recorded?: Topology; rebuilding: boolean } {
  const recorded = recordedTopology(data?.runs);
  return { ...(recorded === undefined ? {} : { recorded }), rebuilding: rebuildStarted(data?.steps, recorded) };
}

export function chooseTopology(
  findings: Pick<Findings, 'places'>,
  replicaId: string | undefined,
  journal: { recorded?: Topology; rebuilding: boolean },
): Topology | undefined {
  if (journal.rebuilding && journal.recorded !== undefined) return journal.recorded;
  const restored = findings.places.find((p) => p.id === replicaId);
  if (restored === undefined) return journal.recorded;
  return { restored, joined: findings.places.filter((p) => p.id !== replicaId) };
}

/**
 * The overview's lines for a cluster (none for one replica, whose lines stay as they were): each
 * replica's role in the procedure. Only the best practice destroys and joins; a reconfigure names one
 * replica and acts on all.
 */
export function topologyLines(topology: Topology | undefined, procedure: ProcedureId): string[] {
  if (!isHighlyAvailable(topology)) return [];
  const role = (r: ReplicaPlace, text: string): string => `${where(r)} (${r.health}): ${text}`;
  const rebuilt = procedure === 'best-practice';
  return [
    `HA cluster of ${topology.joined.length + 1} replicas:`,
    `  ${role(topology.restored, rebuilt ? 'backed up, destroyed last, restored from the backup on its node' : 'backed up, named by the reconfigure (--existing-replica-id)')}`,
    ...topology.joined.map(
      (r) =>
        `  ${role(r, rebuilt ? 'destroyed first, joined again after the restore' : 'reconfigured with the cluster, not destroyed')}`,
    ),
  ];
}

export function topologyWarnings(topology: Topology | undefined, inputs: InputResolver): string[] {
  if (!isHighlyAvailable(topology)) return [];
  const even = evenReplicaWarning(topology.joined.length + 1);
  const storage = newStorage({
    targetStorage: inputs.peek('targetStorage'),
    targetVolume: inputs.peek('targetVolume'),
  });
  const shared =
    inputs.peek('targetNfsUrl') === undefined && storage.kind === 'volume' && storage.volume.startsWith('/')
      ? `The new storage is the host path ${storage.volume}: it must be the same shared storage, mounted at that path, on every node (${nodesOf(topology).join(', ')}).`
      : undefined;
  return [...(even === undefined ? [] : [even]), ...(shared === undefined ? [] : [shared])];
}

const nodesOf = (topology: Topology): string[] =>
  [topology.restored, ...topology.joined].map((r) => r.node ?? `the node of replica ${r.id}`);

/**
 * A storage named by volume (`--target-volume <name>`) must exist on every replica's node before the
 * gate: asked of each node through UCP (`<node>/<volume>`). Missing anywhere: nothing is changed.
 */
export async function checkVolumeOnEveryNode(
  topology: Topology | undefined,
  inputs: InputResolver,
  docker: Docker,
  signal: AbortSignal,
): Promise<string | undefined> {
  const volume = inputs.peek('targetVolume');
  if (!isHighlyAvailable(topology) || inputs.peek('targetNfsUrl') !== undefined) return undefined;
  if (volume === undefined || volume.startsWith('/')) return undefined;
  const missing: string[] = [];
  for (const replica of [topology.restored, ...topology.joined]) {
    if (replica.node === undefined) continue;
    try {
      await docker.run(inspectVolumeOnNodeCommand(replica.node, volume), {
        signal,
        purpose: `looking for the volume ${volume} on node ${replica.node}`,
      });
    } catch (error) {
      if (!isMigrateError(error) || error.code !== 'DOCKER_FAILED') throw error;
      missing.push(replica.node);
    }
  }
  if (missing.length > 0) {
    throw new MigrateError(
      'STORAGE_INVALID',
      `the volume ${volume} (--target-volume) does not exist on node ${missing.join(', ')}: every DTR replica's node needs it; nothing was changed`,
      {
        hint: `Create it on ${missing.length > 1 ? 'each of those nodes' : 'that node'} backed by the same shared storage (docker volume create on the node, or through UCP as ${missing[0] ?? '<node>'}/${volume}), then run again.`,
      },
    );
  }
  return `the volume ${volume} exists on every replica's node (${nodesOf(topology).join(', ')}; checked just now)`;
}
