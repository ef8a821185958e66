/**
 * Every fact about DTR that dtr-migrate depends on and the documentation does not spell out, in one
 * place, so that a correction is a one-line change. Each entry says what it is and why we chose it;
 * `[doc]` marks facts the documentation states, `[spec]` what DTR's own API specification declares
 * (test/contract/spec/), `[inferred]` our most plausible reading.
 * Source: ../../shared/reference/dtr-api.md (its section 11 corrects the earlier ones).
 */

export const apiPaths = {
  settings: '/api/v0/meta/settings', // [spec] GET; POST answers 202 [doc]
  clusterStatus: '/api/v0/meta/cluster_status', // [spec]
  crons: '/api/v0/crons', // [spec] GET lists; POST creates or replaces the cron of an action (202)
  cron: (action: string) => `/api/v0/crons/${encodeURIComponent(action)}`, // [spec] DELETE: 204, also when absent
  jobs: '/api/v0/jobs', // [spec]
  job: (id: string) => `/api/v0/jobs/${encodeURIComponent(id)}`, // [spec]
  repositories: '/api/v0/repositories', // [spec]
  tags: (namespace: string, name: string) =>
    `/api/v0/repositories/${encodeURIComponent(namespace)}/${encodeURIComponent(name)}/tags`, // [spec]
  docs: '/api/v0/docs.json', // DTR's API specification itself; `info.version` is the running version [public clients]
} as const;

/** DTR pages lists with `pageStart`/`pageSize` and names the next page in this header [spec; Harbor adapter]. */
export const nextPageHeader = 'x-next-page-start';

/** The `x.y.z` a version string begins with (`2.7.0-29094adc` is 2.7.0), or undefined. */
export function leadingVersion(text: string): string | undefined {
  return /^(\d+\.\d+\.\d+)/.exec(text)?.[1];
}

/**
 * Garbage collection: `gc` (DTR 2.5 without online GC) and every `onlinegc*` action delete blobs or
 * metadata and must be off during a migration, except `onlinegc_joblogs`, which only prunes job logs and
 * is neither waited for nor removed [jobs docs]. "Never" in the UI removes the `onlinegc` cron [inferred].
 */
export const gcCronAction = 'onlinegc';
export const isGcAction = (action: string): boolean =>
  action === 'gc' || (action.startsWith('onlinegc') && action !== 'onlinegc_joblogs');
/** The GC actions DTR knows, to list each on its own (`GET /api/v0/jobs?action=`) [jobs docs]. */
export const gcJobActions: readonly string[] = ['gc', 'onlinegc', 'onlinegc_metadata', 'onlinegc_blobs'];
/** The job that deletes blobs the restored metadata no longer refers to. [doc] */
export const blobGcAction = 'onlinegc_blobs';

/**
 * What a job's status says about it. The set is open [spec lists waiting, running, done, canceled,
 * errored; the job-queue docs add cancel_request, deleted, worker_dead, worker_shutdown,
 * worker_resurrection and the older spellings error and cancel]: `done` is the only success, a job whose
 * worker died or shut down (`worker_*`, e.g. jobs of a destroyed replica) ended without success, and
 * anything unknown is taken as not finished, so it is waited for rather than trusted.
 */
export type JobOutcome = 'succeeded' | 'failed' | 'unfinished';
const failedStatuses: ReadonlySet<string> = new Set(['errored', 'error', 'canceled', 'cancel', 'deleted']);
export function jobOutcome(status: string): JobOutcome {
  if (status === 'done') return 'succeeded';
  if (failedStatuses.has(status) || status.startsWith('worker_')) return 'failed';
  return 'unfinished';
}

/** A replica is healthy when cluster_status reports "OK" for it [spec description; inferred]. */
export const healthyReplicaStatus = 'OK';
/** cluster_status' `gc_lock_holder` is empty unless a garbage collection holds the lock [spec]. */
export const gcLockHeld = (holder: string | undefined): boolean => holder !== undefined && holder !== '';

/** Container and volume names on the docker host. [doc] for the first three, [inferred] for NFS. */
export const registryContainer = (replicaId: string): string => `dtr-registry-${replicaId}`;
export const rethinkContainer = (replicaId: string): string => `dtr-rethinkdb-${replicaId}`;
export const nfsVolume = (replicaId: string): string => `dtr-registry-nfs-${replicaId}`;
/** DTR's default local image storage, one of the volumes the bootstrapper's destroy removes. [doc] */
export const defaultStorageVolume = (replicaId: string): string => `dtr-registry-${replicaId}`;

/**
 * A volume on one node of the cluster, as the docker client of a UCP client bundle names it:
 * `<node>/<volume>`, classic Swarm's naming, which UCP's docker API keeps for volumes [inferred: UCP
 * docs show volumes listed as node/name; not checked against a live UCP]. Used to see that the storage
 * volume named to DTR exists on every replica's node before anything is destroyed.
 */
export const volumeOnNode = (node: string, volume: string): string => `${node}/${volume}`;

/*
 * HA [CLI refs; launchpad]: `destroy --replica-id` removes one replica, so each is destroyed on its own;
 * `join` brings each other replica back, one at a time, each healthy before the next, with its own id
 * and ports. By default the replica backed up and restored is the one the API answers from (the
 * settings' `replicaID`) [choice: its node and ports are known for sure]. The sequence is in
 * dtr/topology.ts and steps/index.ts.
 */

/**
 * Per-replica NFS mount options. `reconfigure --nfs-options` (verbatim, e.g. `rw,nfsvers=4,async`) and
 * `--async-nfs` apply to the replica named by `--existing-replica-id` only [CLI refs]; DTR keeps them in
 * the `o=` option of that replica's NFS volume, after `addr=<server>` [inferred: the volume is made with
 * docker's local NFS driver, whose options are `type`, `o` and `device`], so they are read there, from
 * each replica's node, before the switch. What a reconfigure onto another NFS server does to the options
 * of the replicas it does not name [choice: assumed lost, DTR making their volumes anew with its defaults;
 * the docs say only that the flags act on one replica]: each replica that had options gets a reconfigure
 * of its own, onto the storage it already serves, once that replica serves it; one that kept them is
 * checked and left alone, so either answer of the real DTR ends the same. `--nfs-options` carries
 * `async` itself, so `--async-nfs` is never passed.
 */
export function nfsMountOptions(volumeOptions: Readonly<Record<string, string>> | null): string | undefined {
  if (volumeOptions === null || volumeOptions['type']?.startsWith('nfs') !== true) return undefined;
  const options = (volumeOptions['o'] ?? '').split(',').filter((o) => o !== '' && !o.startsWith('addr='));
  return options.length === 0 ? undefined : options.join(',');
}
/** The same options, whatever their order (DTR passes them verbatim, docker may not keep the order). */
export const sameNfsOptions = (a: string | undefined, b: string | undefined): boolean =>
  [...new Set((a ?? '').split(',').filter(Boolean))].sort().join(',') ===
  [...new Set((b ?? '').split(',').filter(Boolean))].sort().join(',');

/** Where the registry container mounts its image storage [docs issue: the filesystem root is forced to it]. */
export const storageMountPoint = '/storage';

/**
 * The bootstrapper image: `docker/dtr` for DTR 2.x, `mirantis/dtr` for MSR 2.8 and 2.9 [CLI refs]. Its
 * tag always equals the running version [doc]. An air-gapped DTR runs images from a mirror: as launchpad
 * does, the repository is taken first from the running `dtr-rethinkdb` container's image (what comes
 * before its last `/`, then `/dtr`), and `--bootstrapper-image` overrides both.
 */
export function defaultBootstrapperRepository(version: string): string {
  const minor = Number(version.split('.')[1]);
  return minor >= 8 ? 'mirantis/dtr' : 'docker/dtr';
}
export function bootstrapperRepositoryOf(containerImage: string): string | undefined {
  const slash = containerImage.lastIndexOf('/');
  return slash <= 0 ? undefined : `${containerImage.slice(0, slash)}/dtr`;
}
export const bootstrapperImage = (repository: string, version: string): string => `${repository}:${version}`;

/**
 * The registry's own directory below a storage root, and the two directories every registry storage holds
 * once an image was pushed (docker/distribution's filesystem driver; dtr-api.md section 10). [doc] A tree
 * without both is not DTR's storage. [choice: a DTR that never stored an image has nothing to migrate]
 */
export const registryRootPath = 'docker/registry/v2';
export const registryLayoutDirs: readonly string[] = ['repositories', 'blobs'];

/**
 * On DTR 2.6.0 to 2.6.3, `--nfs-storage-url` on restore or reconfigure wipes the tags there [KB]. The
 * documented workaround: an NFS-backed docker volume on each DTR node, named to DTR as
 * `--dtr-storage-volume`. Its name is ours [choice: no `dtr-` prefix, which DTR's own volumes use and
 * cleanups of DTR remove].
 */
export function nfsUrlWipesTags(version: string): boolean {
  const [major, minor, patch] = version.split('.').map(Number);
  return major === 2 && minor === 6 && (patch ?? 0) <= 3;
}
export const nfsWorkaroundVolume = 'registry-nfs-storage';

/**
 * Backup tar: entries `dtr-backup-v<version>/rethink/<table>/<n>` [backup docs], written by Go's
 * archive/tar (PAX headers for long names and large sizes). A backup is accepted when it is a whole,
 * readable tar whose entries all lie below the folder of the running version and hold at least one
 * table.
 */
export const backupRoot = (version: string): string => `dtr-backup-v${version}`;
export function backupVersionOf(entryName: string): string | undefined {
  return /^(?:\.\/)?dtr-backup-v(\d+\.\d+\.\d+[^/]*)(?:\/|$)/.exec(entryName)?.[1];
}
export const isBackupTableEntry = (entryName: string): boolean =>
  /^(?:\.\/)?dtr-backup-v[^/]+\/rethink\/[^/]+\/./.test(entryName);

/**
 * What a restore leaves undone: the vulnerability database is not in the backup and must be fetched
 * again [restore docs].
 */
export const afterRestore: readonly string[] = [
  "DTR's vulnerability database is not part of a backup: sync it again (System > Security > Sync Database, or upload it on an offline DTR) before relying on scan results",
];

/**
 * How long the bootstrapper's own work takes, for a plan's estimate of the window: DTR documents no
 * figures, and they depend on the metadata (tags, scans, events), not on the image bytes. [choice]
 * Round minutes an operator can check against a rehearsal on their own DTR; a plan labels them as
 * assumed, beside the copy and verify times it measured.
 */
export const assumedBootstrapperSeconds = {
  /** `backup`: streams RethinkDB's tables out. */
  backup: 120,
  /** `destroy` then `restore`, until the replica answers healthy. */
  destroyAndRestore: 600,
  /** `reconfigure` (with or without `--storage-migrated`): DTR's containers restart once. */
  reconfigure: 180,
} as const;
