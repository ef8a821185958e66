/**
 * Read-only checks before a migration changes anything: DTR answers, the credentials are an admin's,
 * the replica is known and healthy, and the inputs do not contradict each other. What DTR's API says of
 * itself is kept for the cross-check with the docker host (detect.ts): its version, where each replica
 * runs (settings' `replicaSettings`, which also gives the restore its `--ucp-node`), and its storage.
 * Findings are returned for the welcome screen; problems are MigrateErrors naming the fixing flag.
 */
import { httpStatusOf, unanswered, type DtrClient } from '../api/client.js';
import type { InputResolver } from '../config/resolve.js';
import type { Cron, Settings } from '../api/schemas.js';
import { MigrateError, isMigrateError } from '../errors.js';
import { apiPaths, healthyReplicaStatus, isGcAction } from '../dtr/facts.js';
import { where, type ReplicaPlace } from '../dtr/topology.js';

export interface Findings {
  readonly dtrUrl: string;
  readonly replicas: Readonly<Record<string, string>>;
  readonly readOnly: boolean | undefined;
  readonly gcSchedules: readonly Cron[] | undefined;
  /** The journal says DTR was destroyed on purpose (restore under way), and it is not fully back. */
  readonly dtrDown: boolean;
  /** The running version as DTR's API names it (`GET /api/v0/docs.json`), when it does. */
  readonly apiVersion?: string;
  /** Replica → the node it runs on, from the settings' `replicaSettings`. */
  readonly nodes: Readonly<Record<string, string>>;
  /** Every replica, its node, ports and health, as found now (an HA cluster has more than one). */
  readonly places: readonly ReplicaPlace[];
  /** The current storage as the settings name it, when they do. */
  readonly storage?: ApiStorage;
}

/** The current storage as DTR's settings name it: a volume or host path, or an NFS export. */
export type ApiStorage =
  | { readonly kind: 'volume'; readonly volume: string }
  | { readonly kind: 'nfs'; readonly host: string; readonly path: string };

function storageOf(settings: Settings): ApiStorage | undefined {
  if (settings.nfsHost !== undefined && settings.nfsHost !== '')
    return { kind: 'nfs', host: settings.nfsHost, path: settings.nfsPath ?? '' };
  if (settings.storageVolume !== undefined && settings.storageVolume !== '')
    return { kind: 'volume', volume: settings.storageVolume };
  return undefined;
}

/** The version DTR's API reports; a DTR (or proxy) that does not serve it, or not readably, leaves it open. */
async function apiVersionOf(api: DtrClient): Promise<string | undefined> {
  try {
    return await api.version();
  } catch (error) {
    const status = httpStatusOf(error) ?? 0;
    if ((status >= 400 && status < 500) || (isMigrateError(error) && error.code === 'API_CONTRACT')) return undefined;
    throw error;
  }
}

export function checkInputConsistency(inputs: InputResolver): void {
  if (inputs.peek('targetVolume') !== undefined && inputs.peek('targetNfsUrl') !== undefined) {
    throw new MigrateError('USAGE', '--target-volume and --target-nfs-url both name the new storage', {
      hint: 'Give only one of them.',
    });
  }
  if (inputs.peek('insecureTls') === true && inputs.peek('caCert') !== undefined) {
    throw new MigrateError('USAGE', '--insecure-tls and --ca-cert contradict each other', {
      hint: 'Drop --insecure-tls: with --ca-cert the certificate is verified.',
    });
  }
}

/**
 * The first call to DTR's API answered, but not as DTR does (404 on its settings, or a body of another
 * shape): --dtr-url points at another web server (a UCP, a proxy's page, a plain web site). Not said
 * while DTR may be down on purpose: what stands in front of a destroyed DTR may answer anything.
 */
function notDtr(api: DtrClient, error: unknown): unknown {
  const status = httpStatusOf(error);
  if (status !== 404 && !(isMigrateError(error) && error.code === 'API_CONTRACT')) return error;
  return new MigrateError(
    'NOT_DTR',
    `${api.url} does not look like DTR: ${status === 404 ? `it answered HTTP 404 to GET ${apiPaths.settings}` : error instanceof Error ? error.message : String(error)}`,
    { hint: 'Check --dtr-url: it must be the address of DTR itself (the one its web UI and `docker login` use).' },
  );
}

/**
 * While a restore is under way (`dtrMayBeDown`), DTR may be down, or up with a replica that is missing or
 * not healthy: that is what the restore mends, so none of it stops the run; `dtrDown` says so.
 */
export async function preflight(
  api: DtrClient,
  inputs: InputResolver,
  dtrMayBeDown: boolean,
  /** The rebuild of an HA cluster began: replicas missing or still syncing are what it mends. */
  clusterRebuilding = false,
): Promise<Findings> {
  checkInputConsistency(inputs);
  const down: Findings = {
    dtrUrl: api.url,
    replicas: {},
    readOnly: undefined,
    gcSchedules: undefined,
    dtrDown: true,
    nodes: {},
    places: [],
  };
  let settings: Settings;
  let replicas: Record<string, string> = {};
  let gcSchedules: Cron[];
  let apiVersion: string | undefined;
  try {
    settings = await api.getSettings().catch((error: unknown) => {
      throw dtrMayBeDown ? error : notDtr(api, error);
    });
    replicas = (await api.clusterStatus()).replica_health;
    gcSchedules = (await api.listCrons()).filter((cron) => isGcAction(cron.action));
    apiVersion = await apiVersionOf(api);
  } catch (error) {
    if (!dtrMayBeDown || !unanswered(error)) throw error;
    return down;
  }
  const readOnly = settings.readOnlyRegistry;
  const nodes = Object.fromEntries(
    Object.entries(settings.replicaSettings ?? {}).flatMap(([id, r]) => (r.node === undefined ? [] : [[id, r.node]])),
  );
  const ids = Object.keys(replicas);
  const places = ids.map((id) => placeOf(id, replicas[id] ?? '', settings));
  if (ids.length === 1) inputs.detect('replicaId', ids[0]);
  // In a cluster, the replica backed up and restored is by default the one DTR's API answers from.
  else if (settings.replicaID !== undefined && ids.includes(settings.replicaID))
    inputs.detect('replicaId', settings.replicaID);
  const replicaId = inputs.peek('replicaId');
  if (replicaId !== undefined) inputs.detect('ucpNode', nodes[replicaId]);
  const healthy = replicaId === undefined || replicas[replicaId] === healthyReplicaStatus;
  if (dtrMayBeDown && !healthy) return { ...down, replicas, readOnly, nodes, places };
  if (replicaId !== undefined && !ids.includes(replicaId)) {
    throw new MigrateError(
      'USAGE',
      `replica ${replicaId} is not one of this DTR's replicas (${ids.join(', ') || 'none reported'})`,
      {
        hint: `Pass --replica-id with one of: ${ids.join(', ')}`,
      },
    );
  }
  if (!healthy) {
    throw new MigrateError(
      'STEP_FAILED',
      `replica ${replicaId} is not healthy ("${replicas[replicaId]}"); a migration must start from a healthy DTR`,
      {
        hint: 'Fix the replica first (DTR System > Status), then run again.',
      },
    );
  }
  if (!dtrMayBeDown && !clusterRebuilding && ids.length > 1) refuseUnhealthyReplicas(places);
  const storage = storageOf(settings);
  return {
    dtrUrl: api.url,
    replicas,
    readOnly,
    gcSchedules,
    dtrDown: false,
    nodes,
    places,
    ...(apiVersion === undefined ? {} : { apiVersion }),
    ...(storage === undefined ? {} : { storage }),
  };
}

function placeOf(id: string, health: string, settings: Settings): ReplicaPlace {
  const r = settings.replicaSettings?.[id];
  return {
    id,
    health,
    ...(r?.node === undefined ? {} : { node: r.node }),
    ...(r?.HTTPPort === undefined ? {} : { httpPort: r.HTTPPort }),
    ...(r?.HTTPSPort === undefined ? {} : { httpsPort: r.HTTPSPort }),
  };
}

/**
 * Every replica of a cluster is destroyed and rebuilt: one that is not healthy now may be the one that
 * holds data the others lack, and a join into an unhealthy cluster is refused anyway. Nothing changed.
 */
function refuseUnhealthyReplicas(places: readonly ReplicaPlace[]): void {
  const sick = places.filter((p) => p.health !== healthyReplicaStatus);
  if (sick.length === 0) return;
  throw new MigrateError(
    'REPLICA_UNHEALTHY',
    `${sick.map((p) => `${where(p)} reports "${p.health}"`).join('; ')}: every replica of the cluster must be healthy before a migration starts; nothing was changed`,
    {
      hint: `Mend ${sick.length > 1 ? 'them' : 'it'} first (DTR System > Status; the DTR containers on ${sick.map((p) => p.node ?? p.id).join(', ')}), or remove a replica that cannot be mended from the cluster (docker/dtr remove --existing-replica-id <healthy one> --replica-ids ${sick.map((p) => p.id).join(',')}), then run again.`,
    },
  );
}
