/**
 * The replicas a migration acts on (dtr-api.md section 11, row "HA"): DTR's replicas as cluster_status
 * lists them, each on the node the settings' `replicaSettings` name, with its ports. One of them is
 * backed up and restored (the `--replica-id`: by default the replica DTR's API answers from, and the
 * backup's own); every other one is destroyed before the restore and joined to the restored one after
 * it, one at a time. The topology is found before anything changes and kept in the journal, because
 * the cluster that is being rebuilt cannot tell it any more.
 */

export interface ReplicaPlace {
  readonly id: string;
  /** The node it runs on (from `replicaSettings`); unknown on a DTR whose settings do not say. */
  readonly node?: string;
  readonly httpPort?: number;
  readonly httpsPort?: number;
  /** What cluster_status reported when the topology was found. */
  readonly health: string;
  /**
   * Its own NFS mount options (facts.ts, nfsMountOptions), read from its NFS volume before the switch
   * when both storages are NFS, to be given back to it on the new server.
   */
  readonly nfsOptions?: string;
}

export interface Topology {
  /** Backed up, destroyed last, restored on its node. */
  readonly restored: ReplicaPlace;
  /** Destroyed first, then joined to `restored` one at a time, in this order. */
  readonly joined: readonly ReplicaPlace[];
}

/** The topology as the journal and `--json` keep it: one entry per replica, with its role. */
export interface TopologyEntry extends ReplicaPlace {
  readonly role: 'restored' | 'joined';
}

export function topologyEntries(topology: Topology): TopologyEntry[] {
  return [
    { ...topology.restored, role: 'restored' },
    ...topology.joined.map((replica) => ({ ...replica, role: 'joined' as const })),
  ];
}

/** The topology back from what `topologyEntries` gave (a journal's), or undefined when it is not one. */
export function topologyFromEntries(entries: unknown): Topology | undefined {
  if (!Array.isArray(entries)) return undefined;
  const places = entries.filter(
    (e): e is TopologyEntry =>
      typeof e === 'object' && e !== null && typeof (e as TopologyEntry).id === 'string' && 'role' in e,
  );
  const restored = places.find((e) => e.role === 'restored');
  if (restored === undefined || places.length !== entries.length) return undefined;
  const strip = ({ role: _role, ...place }: TopologyEntry): ReplicaPlace => place;
  return { restored: strip(restored), joined: places.filter((e) => e.role === 'joined').map(strip) };
}

export const isHighlyAvailable = (topology: Topology | undefined): topology is Topology =>
  topology !== undefined && topology.joined.length > 0;

/** The step ids of the replica actions of an HA best-practice migration. */
export const destroyReplicaStepId = (replicaId: string): `destroy-${string}` => `destroy-${replicaId}`;
export const joinReplicaStepId = (replicaId: string): `join-${string}` => `join-${replicaId}`;
/** The step that gives a replica its own NFS mount options back on the new NFS server. */
export const nfsOptionsStepId = (replicaId: string): `nfs-options-${string}` => `nfs-options-${replicaId}`;
export const isNfsOptionsStepId = (id: string): boolean => id.startsWith(nfsOptionsStepId(''));
export const isDestroyReplicaStepId = (id: string): boolean => id.startsWith(destroyReplicaStepId(''));
export const isReplicaStepId = (id: string): boolean =>
  isDestroyReplicaStepId(id) || id.startsWith(joinReplicaStepId(''));

export const where = (replica: Pick<ReplicaPlace, 'id' | 'node'>): string =>
  replica.node === undefined ? `replica ${replica.id}` : `replica ${replica.id} on node ${replica.node}`;

/**
 * An even number of replicas tolerates no more failures than one replica fewer, and a split in half
 * leaves no majority [doc: DTR's HA guidance recommends 3, 5 or 7 replicas].
 */
export function evenReplicaWarning(count: number): string | undefined {
  if (count < 2 || count % 2 === 1) return undefined;
  return `DTR has ${count} replicas, an even number: it survives no more failures than ${count - 1} would, and a network split in half leaves no majority. Consider ${count + 1} (or ${count - 1}) replicas after the migration.`;
}

/** The lines that name every replica and node a migration destroys, restores and joins, in order. */
export function sequenceLines(topology: Topology, restoredOnto: string): string[] {
  return [
    ...topology.joined.map((r, i) => `${i + 1}. destroy ${where(r)}: its containers and volumes`),
    `${topology.joined.length + 1}. destroy ${where(topology.restored)} (the one backed up), then restore it from the backup onto ${restoredOnto}`,
    ...topology.joined.map(
      (r, i) =>
        `${topology.joined.length + 2 + i}. join ${where(r)} to replica ${topology.restored.id}${ports(r)}, once the cluster is healthy`,
    ),
  ];
}

function ports(replica: ReplicaPlace): string {
  if (replica.httpPort === undefined && replica.httpsPort === undefined) return '';
  return ` (ports ${replica.httpPort ?? 80}/${replica.httpsPort ?? 443})`;
}

/**
 * The topology the journal kept: that of the last run that noted one (each run notes the topology it
 * acts on, so once the rebuild started, the one found before it).
 */
export function recordedTopology(
  runs: readonly { readonly detected: Readonly<Record<string, unknown>> }[] | undefined,
): Topology | undefined {
  for (const run of [...(runs ?? [])].reverse()) {
    const topology = topologyFromEntries(run.detected['topology']);
    if (topology !== undefined) return topology;
  }
  return undefined;
}

/** Has the rebuild of the cluster begun (a replica destroyed, restored or joined, or an attempt at it)? */
export function rebuildStarted(
  steps: Readonly<Record<string, { readonly attempts: number }>> | undefined,
  topology: Topology | undefined,
): boolean {
  const ids = [
    'restore',
    ...(topology?.joined ?? []).flatMap((r) => [destroyReplicaStepId(r.id), joinReplicaStepId(r.id)]),
  ];
  return ids.some((id) => (steps?.[id]?.attempts ?? 0) > 0);
}
