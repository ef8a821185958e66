/**
 * What the docker/dtr bootstrapper does to a DTR (shared/reference/dtr-api.md, sections 8 and 9), acted
 * on the mock's state. The stand-in has already checked the flags (bootstrapper-flags.ts) and the server
 * the UCP credentials; these functions check what needs the running DTR: its replica id, its version,
 * whether it is installed. Mock choices, each marked where it is made:
 * - destroy removes the metadata store (repositories, tags, crons, jobs, settings) but keeps the version
 *   and replica id, so the API can say what was there; destroying a destroyed DTR succeeds with a notice.
 * - before MSR 2.9, a storage change without --storage-migrated erases every tag (2.6+ per the docs, and
 *   2.5 too; the pre-2.5 tagmigration rebuild is not modelled); --storage-migrated is trusted unchecked.
 * - from MSR 2.9 the tags are kept, and the new storage must be an exact copy [doc]: the mock checks
 *   that every tagged manifest blob is there when the new storage is a host folder, and refuses
 *   otherwise; --reinitialize-storage erases the tags.
 * - on 2.6.0 to 2.6.3, `--nfs-storage-url` on restore or reconfigure erases the tags [KB]; an
 *   NFS-backed docker volume given as `--dtr-storage-volume` does not.
 * - restore: DTR comes back with the backup's settings, on the node `--ucp-node` names; without
 *   `--dtr-external-url` it has no single sign-on with UCP [CLI refs]. Jobs the backup saw running lost
 *   their worker: `worker_dead` [jobs docs].
 * Injected faults (faults.ts) act after the bootstrapper's own checks, as a failure while working would:
 * a backup that fails or whose tar stops half-way (exit 0), a destroy that fails before removing anything
 * or half-way (DTR down), a restore that fails before installing anything.
 */
import { access } from 'node:fs/promises';
import { join } from 'node:path';
import { healthyReplicaStatus, nfsUrlWipesTags } from '../dtr/facts.js';
import { createBackupArchive, parseBackupArchive } from './backup-archive.js';
import { defaultNfsOptions, storageFolderOf } from './docker-daemon.js';
import { takeBootstrapperFault } from './faults.js';
import { errorReply, json, type Reply } from './http-util.js';
import { orphanJobs } from './jobs.js';
import { blobDataPath } from './registry-layout.js';
import {
  defaultNode,
  defaultSettings,
  replicaHealthOf,
  replicaSettingsOf,
  sameStorageLocation,
  type MockState,
  type MockStorage,
} from './state.js';
import {
  bootstrapperResultSchema,
  type BackupRequest,
  type DestroyRequest,
  type JoinRequest,
  type ReconfigureRequest,
  type RestoreRequest,
} from './stand-in-protocol.js';
import { isAtLeast, metadataPersistsSince } from './versions.js';

const ok = (log: string[], archive?: Buffer): Reply =>
  json(
    200,
    bootstrapperResultSchema.parse(archive === undefined ? { log } : { log, archive: archive.toString('base64') }),
  );

const fail = (code: string, message: string): Reply => errorReply(409, code, message);

function describeStorage(storage: MockStorage, replicaId: string): string {
  switch (storage.kind) {
    case 'default':
      return `the default volume dtr-registry-${replicaId}`;
    case 'volume':
      return `the volume ${storage.volume}`;
    case 'path':
      return `the host folder ${storage.path}`;
    case 'nfs':
      return `NFS ${storage.url}${storage.async ? ' (async)' : ''}`;
  }
}

/** The checks every command but restore makes against the running DTR, in the bootstrapper's order. */
function checkRunningDtr(state: MockState, request: { imageVersion: string; replicaId: string }): Reply | undefined {
  if (!state.installed) return fail('DTR_NOT_INSTALLED', 'no DTR is installed on this UCP cluster (it was destroyed)');
  if (state.replicaSettings[request.replicaId] === undefined) {
    return fail(
      'NO_SUCH_REPLICA',
      `replica ${request.replicaId} not found; the DTR replicas are: ${Object.keys(state.replicaSettings).join(', ')}`,
    );
  }
  if (request.imageVersion !== state.version) {
    return fail(
      'VERSION_MISMATCH',
      `bootstrapper version ${request.imageVersion} does not match DTR version ${state.version}; run ${state.imageRepository}/dtr:${state.version}`,
    );
  }
  return undefined;
}

export function runBackup(state: MockState, request: BackupRequest, now: number): Reply {
  const refused = checkRunningDtr(state, request);
  if (refused !== undefined) return refused;
  const fault = takeBootstrapperFault(state, 'backup');
  if (fault === 'exit')
    return fail(
      'BACKUP_FAILED',
      'failed to back up the metadata store: rethinkdb closed the connection (injected fault)',
    );
  const whole = createBackupArchive(state, now);
  // A stream cut off mid-entry, but the bootstrapper saw no error: it exits 0 all the same.
  const archive = fault === 'truncate' ? whole.subarray(0, Math.floor(whole.length / 2) + 100) : whole;
  return ok(
    [
      `Beginning backup of replica ${state.replicaId}`,
      `Backed up ${state.repositories.length} repositories`,
      'Backup complete',
    ],
    archive,
  );
}

/**
 * Removes one replica's containers and volumes (`--replica-id`) [CLI refs]. The metadata store goes with
 * the last replica; while others remain they keep serving, and a replica id not among them is refused
 * (once none is left, a destroy is "nothing to destroy"). [mock choice: the remaining replicas stay healthy, though a real cluster that lost its
 * majority stops taking writes; the procedure writes nothing between the destroys]
 */
export function runDestroy(state: MockState, request: DestroyRequest): Reply {
  if (!state.installed)
    return ok([`No DTR containers or volumes of replica ${request.replicaId} found: nothing to destroy`]);
  const refused = checkRunningDtr(state, request);
  if (refused !== undefined) return refused;
  const fault = takeBootstrapperFault(state, 'destroy');
  if (fault === 'fail')
    return fail(
      'DESTROY_FAILED',
      `failed to remove container dtr-api-${request.replicaId}: the docker daemon timed out (injected fault); nothing was removed`,
    );
  const { [request.replicaId]: _gone, ...remaining } = state.replicaSettings;
  state.replicaSettings = remaining;
  if (state.replicaHealth !== undefined) delete state.replicaHealth[request.replicaId];
  delete state.nfsOptions?.[request.replicaId];
  const others = Object.keys(remaining);
  if (others.length > 0) {
    if (state.replicaId === request.replicaId) state.replicaId = others[0] ?? state.replicaId;
  } else {
    state.installed = false;
    state.repositories = [];
    state.crons = [];
    state.jobs = [];
    state.settings = defaultSettings(state.settings.dtrHost);
  }
  if (fault === 'half')
    return fail(
      'DESTROY_FAILED',
      `removed 4 of 9 containers of replica ${request.replicaId}, then: volume dtr-rethink-${request.replicaId} is in use (injected fault)`,
    );
  return ok([
    `Removing containers and volumes of replica ${request.replicaId}`,
    others.length > 0 ? `Replica ${request.replicaId} destroyed; ${others.length} replica(s) remain` : 'DTR destroyed',
  ]);
}

/**
 * Adds a replica to the cluster of `--existing-replica-id`, on `--ucp-node`, with its ports, serving
 * the cluster's storage. Refused while any replica of that cluster is not healthy, unless
 * `--unsafe-join` [CLI refs]; one replica per node [doc]. A half-done join (fault) adds the replica,
 * then exits 1.
 */
export function runJoin(state: MockState, request: JoinRequest): Reply {
  const refused = checkRunningDtr(state, request);
  if (refused !== undefined) return refused;
  const { newReplicaId, ucpNode } = request;
  if (state.replicaSettings[newReplicaId] !== undefined)
    return fail('REPLICA_EXISTS', `replica ${newReplicaId} is already part of this DTR cluster`);
  const onNode = Object.entries(state.replicaSettings).find(([, r]) => r.node === ucpNode);
  if (onNode !== undefined)
    return fail('NODE_TAKEN', `node ${ucpNode} already runs DTR replica ${onNode[0]}: one replica per node`);
  const unhealthy = Object.keys(state.replicaSettings).filter(
    (id) => replicaHealthOf(state, id) !== healthyReplicaStatus,
  );
  if (unhealthy.length > 0 && !request.unsafeJoin) {
    const which = unhealthy.map((id) => `${id}: ${replicaHealthOf(state, id)}`).join(', ');
    return fail(
      'CLUSTER_UNHEALTHY',
      `the DTR cluster is not healthy (${which}); joining now could lose data: fix it first, or use --unsafe-join`,
    );
  }
  const fault = takeBootstrapperFault(state, 'join');
  if (fault === 'fail')
    return fail(
      'JOIN_FAILED',
      `failed to start dtr-rethinkdb-${newReplicaId} on ${ucpNode} (injected fault); nothing was added`,
    );
  delete state.nfsOptions?.[newReplicaId];
  state.replicaSettings[newReplicaId] = {
    HTTPPort: request.httpPort ?? 80,
    HTTPSPort: request.httpsPort ?? 443,
    node: ucpNode,
  };
  if (fault === 'half')
    return fail(
      'JOIN_FAILED',
      `replica ${newReplicaId} was added, then the bootstrapper lost its connection to UCP (injected fault)`,
    );
  return ok([
    `Joining replica ${newReplicaId} on node ${ucpNode} to replica ${request.replicaId}`,
    `Replica ${newReplicaId} joined; the cluster has ${Object.keys(state.replicaSettings).length} replicas`,
  ]);
}

export async function runRestore(state: MockState, request: RestoreRequest, now: number): Promise<Reply> {
  if (state.installed) {
    const left = Object.keys(state.replicaSettings);
    return fail(
      'DTR_INSTALLED',
      `DTR replica ${left.join(', ')} ${left.length > 1 ? 'are' : 'is'} still installed: destroy ${left.length > 1 ? 'each' : 'it'} first with docker/dtr destroy`,
    );
  }
  if (takeBootstrapperFault(state, 'restore') === 'fail')
    return fail('RESTORE_FAILED', 'failed to start rethinkdb for the restore (injected fault); nothing was installed');
  const parsed = await parseBackupArchive(Buffer.from(request.archive, 'base64'));
  if (!parsed.ok) return fail('INVALID_BACKUP', parsed.reason);
  const { backup } = parsed;
  if (backup.version !== request.imageVersion) {
    return fail(
      'VERSION_MISMATCH',
      `the backup was made by DTR ${backup.version}; restore it with the bootstrapper of ${backup.version}, not ${request.imageVersion}`,
    );
  }
  const log = [
    `Installing DTR ${backup.version} replica ${request.replicaId} on node ${request.ucpNode ?? defaultNode}`,
  ];
  state.version = backup.version;
  state.replicaId = request.replicaId;
  state.replicaSettings = replicaSettingsOf(request.replicaId, request.ucpNode ?? defaultNode);
  state.settings = { ...backup.settings };
  if (request.externalUrl === undefined) {
    state.settings['sso'] = false;
    log.push('WARN no --dtr-external-url: DTR is installed without single sign-on with UCP');
  } else state.settings.dtrHost = new URL(request.externalUrl).host;
  state.crons = backup.crons.map((cron) => ({ ...cron }));
  state.repositories = backup.repositories.map((repo) => ({ ...repo, tags: repo.tags.map((tag) => ({ ...tag })) }));
  // Test fault (state.dropTagsOnRestore): DTR loses these tags while applying the backup, so a test can show they are reported lost.
  const dropped = new Set(state.dropTagsOnRestore ?? []);
  for (const repo of state.repositories)
    repo.tags = repo.tags.filter((tag) => !dropped.has(`${repo.namespace}/${repo.name}:${tag.name}`));
  if (request.storage.kind === 'nfs' && nfsUrlWipesTags(backup.version))
    log.push(`--nfs-storage-url on DTR ${backup.version}: a new metadata store, ${eraseTags(state)} tags erased`);
  state.jobs = orphanJobs(backup.jobs, now);
  state.storage = request.storage;
  state.nfsOptions = {};
  state.installed = true;
  return ok([
    ...log,
    `Image storage: ${describeStorage(request.storage, request.replicaId)}`,
    `Restored ${backup.repositories.length} repositories from the backup of replica ${backup.replicaId}`,
    'Restore complete',
  ]);
}

/** Tagged manifests whose blob the new storage lacks; only a folder the mock can read can be looked into. */
async function missingManifests(state: MockState, next: MockStorage): Promise<number> {
  const folder = storageFolderOf(state, next);
  if (folder === undefined) return 0;
  const digests = new Set(state.repositories.flatMap((repo) => repo.tags.map((tag) => tag.digest)));
  let missing = 0;
  for (const digest of digests) {
    try {
      await access(join(folder, blobDataPath(digest)));
    } catch {
      missing += 1;
    }
  }
  return missing;
}

function eraseTags(state: MockState): number {
  const tags = state.repositories.reduce((sum, repo) => sum + repo.tags.length, 0);
  for (const repo of state.repositories) repo.tags = [];
  return tags;
}

export async function runReconfigure(state: MockState, request: ReconfigureRequest): Promise<Reply> {
  const refused = checkRunningDtr(state, request);
  if (refused !== undefined) return refused;
  const log = [`Reconfiguring replica ${request.replicaId}`];
  const next = request.storage;
  const changed = next !== undefined && !sameStorageLocation(state.storage, next);
  const where = next === undefined ? 'the current storage' : describeStorage(next, state.replicaId);
  if (request.reinitializeStorage) {
    log.push(`--reinitialize-storage: initialized a new metadata store for ${where}, ${eraseTags(state)} tags erased`);
  } else if (changed && isAtLeast(state.version, metadataPersistsSince)) {
    const missing = await missingManifests(state, next);
    if (missing > 0) {
      return fail(
        'STORAGE_NOT_A_COPY',
        `the new storage is not an exact copy of the current one (${missing} tagged manifests missing): copy the data first, or use --reinitialize-storage, which erases the tags`,
      );
    }
    log.push(`Storage changed to ${where}; the metadata store is kept`);
  } else if (changed && request.storageMigrated) {
    log.push(`Storage changed to ${where}; --storage-migrated: keeping the tags`);
  } else if (changed) {
    log.push(`Storage changed to ${where}: initialized a new metadata store, ${eraseTags(state)} tags erased`);
  }
  const options = nfsOptionsAfter(state, request, changed);
  if (typeof options === 'string') return fail('INVALID_OPTIONS', options);
  state.nfsOptions = options;
  if (request.nfsOptions !== undefined) log.push(`NFS options of replica ${request.replicaId}: ${request.nfsOptions}`);
  if (next !== undefined) state.storage = next;
  log.push('Reconfiguration complete');
  return ok(log);
}

/**
 * Each replica's NFS options after a reconfigure (state.ts, nfsOptions), or why the request is refused:
 * `--nfs-options` and `--async-nfs` set the replica named; onto another NFS server every other replica's
 * volume is made anew with the defaults; off NFS, no replica has any.
 */
function nfsOptionsAfter(
  state: MockState,
  request: ReconfigureRequest,
  changed: boolean,
): Record<string, string> | string {
  const storage = request.storage ?? state.storage;
  if (storage.kind !== 'nfs')
    return request.nfsOptions === undefined ? {} : '--nfs-options needs an NFS storage (--nfs-storage-url)';
  const wasAsync = state.storage.kind === 'nfs' && state.storage.async;
  const options = Object.fromEntries(
    Object.keys(state.replicaSettings).map((id) => [
      id,
      changed ? defaultNfsOptions(false) : (state.nfsOptions?.[id] ?? defaultNfsOptions(wasAsync)),
    ]),
  );
  const named = request.nfsOptions ?? (changed || storage.async ? defaultNfsOptions(false) : undefined);
  if (named !== undefined)
    options[request.replicaId] = storage.async && !named.split(',').includes('async') ? `${named},async` : named;
  return options;
}
