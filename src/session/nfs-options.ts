/**
 * Each replica's own NFS mount options (dtr/facts.ts, nfsMountOptions), found before the switch so they
 * can be given back on the new NFS server: read from the replica's NFS volume on its node when DTR serves
 * NFS now and the new storage is NFS too. Once the switch began (a restore, reconfigure or destroy
 * attempted), the volumes may already be the new ones, with DTR's defaults, so the options the journal
 * kept from before are the ones; nothing is read again.
 */
import type { InputResolver } from '../config/resolve.js';
import type { Docker } from '../docker/docker.js';
import { isDestroyReplicaStepId, isNfsOptionsStepId, type ReplicaPlace, type Topology } from '../dtr/topology.js';
import type { VersionInfo } from '../dtr/versions.js';
import type { JournalData } from '../runner/journal.js';
import { replicaNfsOptions } from '../steps/common/replicas.js';

/** Did a step that may have made the replicas' NFS volumes anew begin? */
export function storageSwitchBegan(data: JournalData | undefined): boolean {
  return Object.entries(data?.steps ?? {}).some(
    ([id, step]) =>
      step.attempts > 0 &&
      (id === 'restore' || id === 'reconfigure' || isDestroyReplicaStepId(id) || isNfsOptionsStepId(id)),
  );
}

interface NfsOptionsScope {
  readonly inputs: InputResolver;
  readonly docker: Docker;
  readonly signal: AbortSignal;
  /** DTR's settings say it serves NFS now. */
  readonly servesNfs: boolean;
  /** The journal's topology, with the options it kept. */
  readonly recorded?: Topology;
  readonly switchBegan: boolean;
}

/** The topology with each replica's NFS options, where it has some and both storages are NFS. */
export async function withNfsOptions(
  topology: Topology | undefined,
  scope: NfsOptionsScope,
): Promise<Topology | undefined> {
  if (topology === undefined || scope.inputs.peek('targetNfsUrl') === undefined) return topology;
  const kept = new Map(
    [scope.recorded?.restored, ...(scope.recorded?.joined ?? [])].flatMap((r) =>
      r?.nfsOptions === undefined ? [] : [[r.id, r.nfsOptions] as const],
    ),
  );
  const read = async (replica: ReplicaPlace): Promise<ReplicaPlace> => {
    const { nfsOptions: _old, ...place } = replica;
    const options = scope.switchBegan
      ? kept.get(replica.id)
      : await replicaNfsOptions(scope.docker, replica, scope.signal);
    return options === undefined ? place : { ...place, nfsOptions: options };
  };
  if (!scope.switchBegan && !scope.servesNfs) return topology;
  return { restored: await read(topology.restored), joined: await Promise.all(topology.joined.map(read)) };
}

/** The overview's line for the options found, if any. */
export function nfsOptionsLine(topology: Topology | undefined): string | undefined {
  const withOptions = [topology?.restored, ...(topology?.joined ?? [])].filter(
    (r): r is ReplicaPlace & { nfsOptions: string } => r?.nfsOptions !== undefined,
  );
  if (withOptions.length === 0) return undefined;
  return `NFS mount options, given back to each replica on the new server: ${withOptions.map((r) => `${r.id} ${r.nfsOptions}`).join('; ')}`;
}

/**
 * On 2.5 and 2.6.0 to 2.6.3 the options are not given back (a reconfigure naming the storage may start a
 * new metadata store there): the operator hears which replicas lose which options, and the way.
 */
export function nfsOptionsWarnings(topology: Topology | undefined, version: VersionInfo): string[] {
  const line = nfsOptionsLine(topology);
  if (line === undefined || version.family !== 'wipes-tags') return [];
  return [
    `On DTR ${version.version} dtr-migrate does not give the replicas their own NFS mount options back (a reconfigure naming the storage may erase the tags there); after the migration they mount with DTR's defaults. Found: ${line.slice(line.indexOf(': ') + 2)}. Upgrade to 2.6.4 or later and set them with docker/dtr reconfigure --existing-replica-id <replica> --nfs-storage-url <url> --storage-migrated --nfs-options <options>.`,
  ];
}
