/**
 * Every fact about DTR that dtr-migrate depends on and the documentation does not spell out, in one
 * place, so that a correction is a one-line change. Each entry says what it is and why we chose it;
 * `[doc]` marks facts the documentation states, `[inferred]` our most plausible reading.
 * Source: ../../shared/reference/dtr-api.md.
 */

export const apiPaths = {
  settings: '/api/v0/meta/settings', // [doc] POST answers 202; GET [inferred]
  clusterStatus: '/api/v0/meta/cluster_status', // [inferred] shape
  crons: '/api/v0/crons', // [doc] fields; [inferred] path
  cron: (action: string) => `/api/v0/crons/${encodeURIComponent(action)}`, // [inferred]
  jobs: '/api/v0/jobs', // [doc]
  job: (id: string) => `/api/v0/jobs/${encodeURIComponent(id)}`, // [doc]
  workers: '/api/v0/workers', // [doc]
  repositories: '/api/v0/repositories', // [inferred] paging
  tags: (namespace: string, name: string) =>
    `/api/v0/repositories/${encodeURIComponent(namespace)}/${encodeURIComponent(name)}/tags`, // [inferred]
} as const;

/** DTR pages lists with `pageStart`/`pageSize` and names the next page in this header. [inferred] */
export const nextPageHeader = 'x-next-page-start';

/**
 * Garbage collection. "Never" in the UI removes the `onlinegc` cron [inferred]; any cron or job whose
 * action starts with `onlinegc` deletes blobs or metadata and must be off during a migration. [inferred]
 */
export const gcCronAction = 'onlinegc';
export const isGcAction = (action: string): boolean => action.startsWith('onlinegc');
/** The GC job actions DTR knows, to list each on its own (`GET /api/v0/jobs?action=`). [inferred] */
export const gcJobActions: readonly string[] = ['onlinegc', 'onlinegc_metadata', 'onlinegc_blobs', 'onlinegc_scan'];
/** The job that deletes blobs the restored metadata no longer refers to. [doc] */
export const blobGcAction = 'onlinegc_blobs';

/** Job states that end a job. `done` is the only success. [doc] */
export const jobSucceeded = new Set(['done']);
export const jobFailed = new Set(['errored', 'canceled', 'deleted']);
export const jobActive = new Set(['waiting', 'running', 'cancel_request']);

/** A replica is healthy when cluster_status reports "OK" for it. [inferred] */
export const healthyReplicaStatus = 'OK';

/** Container and volume names on the docker host. [doc] for the first two, [inferred] for NFS. */
export const registryContainer = (replicaId: string): string => `dtr-registry-${replicaId}`;
export const nfsVolume = (replicaId: string): string => `dtr-registry-nfs-${replicaId}`;
/** Where the registry container mounts its image storage. [inferred] (docker/distribution default) */
export const storageMountPoint = '/storage';

/** The bootstrapper image; its tag must equal the running DTR's version. [doc] */
export const bootstrapperImage = (version: string): string => `docker/dtr:${version}`;

/**
 * Backup tar: the entry names are not documented [inferred], so a backup is accepted when it is a
 * readable tar with at least one regular file and a clean end-of-archive marker.
 */
export const backupMinimumFiles = 1;

/**
 * The registry's own directory below a storage root, and the two directories every registry storage holds
 * once an image was pushed (docker/distribution's filesystem driver; dtr-api.md section 10). [doc] A tree
 * without both is not DTR's storage. [choice: a DTR that never stored an image has nothing to migrate]
 */
export const registryRootPath = 'docker/registry/v2';
export const registryLayoutDirs: readonly string[] = ['repositories', 'blobs'];
