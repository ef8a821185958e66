/**
 * The mock DTR's live state: plain data that the routes read and change, and that tests may inspect or
 * edit directly (for example set `installed = false`, or push a job). Times are ms since the epoch;
 * job status is computed from the clock when read (see jobs.ts), so nothing here ticks.
 */
import { createHash, randomUUID } from 'node:crypto';
import { gcCronAction, healthyReplicaStatus } from '../dtr/facts.js';
import type { MockStorage } from './stand-in-protocol.js';

export type { MockStorage } from './stand-in-protocol.js';

export interface MockTagInput {
  readonly name: string;
  /** `sha256:<64 hex>` of the manifest (or manifest list) the tag points to. */
  readonly digest: string;
  /** @default 'application/vnd.docker.distribution.manifest.v2+json' */
  readonly mediaType?: string;
  /** Size of the manifest in bytes. @default 0 */
  readonly size?: number;
}

export interface MockRepositoryInput {
  readonly namespace: string;
  readonly name: string;
  readonly tags: readonly MockTagInput[];
}

export const manifestV2MediaType = 'application/vnd.docker.distribution.manifest.v2+json';

export interface MockTag {
  name: string;
  digest: string;
  mediaType: string;
  size: number;
  createdAt: string;
  updatedAt: string;
}

export interface MockRepository {
  id: string;
  namespace: string;
  name: string;
  visibility: 'private' | 'public';
  tags: MockTag[];
}

export interface MockJob {
  id: string;
  action: string;
  workerID: string;
  parameters: Record<string, string>;
  /** When it was queued. */
  scheduledAt: number;
  /** When a worker picks it up (status waiting before, running after). */
  runningAt: number;
  /** When it finishes with `outcome`. */
  endsAt: number;
  /** Tests may set 'errored' to see a failing job. */
  outcome: 'done' | 'errored';
  /** Set by POST /api/v0/jobs/{id}/cancel. */
  cancelRequestedAt?: number;
  /** Its worker went away while it ran (a restore from a backup taken meanwhile): `worker_dead` for ever. */
  workerDied?: true;
}

/** A cron as DTR keeps it [spec: tmpresponses.Cron, every field present]. */
export interface MockCron {
  id: string;
  action: string;
  schedule: string;
  retries: number;
  capacityMap: Record<string, number>;
  parameters: Record<string, string>;
  deadline: string;
  stopTimeout: string;
  nextRun: string;
}

/** Where a replica runs [spec: responses.ReplicaSettings]. */
export interface MockReplicaSettings {
  HTTPPort: number;
  HTTPSPort: number;
  node: string;
}

export interface MockState {
  version: string;
  /**
   * The replica the API answers from (settings' `replicaID`): the first one, or the one restored. In a
   * cluster of several replicas, each is destroyed on its own (`destroy --replica-id`), and the others
   * join it (`join`).
   */
  replicaId: string;
  /**
   * Every replica and its node, as `replicaSettings` reports them; cluster_status lists the same ones,
   * and the docker host runs each one's containers on its node.
   */
  replicaSettings: Record<string, MockReplicaSettings>;
  /** Test fault: what cluster_status reports for these replicas instead of "OK" (an unhealthy replica). */
  replicaHealth?: Record<string, string>;
  /** False once the last replica was destroyed: the API answers 503 and the containers are gone. */
  installed: boolean;
  /**
   * The settings DTR keeps (settings.ts builds the answer: the fields of this version, plus the replica
   * and storage fields, which come from the state itself).
   */
  settings: Record<string, unknown> & { readOnlyRegistry: boolean; dtrHost: string };
  crons: MockCron[];
  jobs: MockJob[];
  /** The repository DTR's images come from (`docker`, `mirantis` or a mirror); the bootstrapper must come from it too. */
  imageRepository: string;
  /** Test fault: a GC holding the lock that no job listing shows (e.g. one running on another replica). */
  gcLockHolder?: string;
  /** Test fault: replicas that do not follow read-only mode (cluster_status' replica_readonly stays false). */
  replicasIgnoringReadOnly?: string[];
  /**
   * Docker volumes made with `docker volume create` (not DTR's own: a destroy keeps them), on the nodes
   * listed (every node when absent: made through the whole cluster, or by a test).
   */
  volumes: Record<string, { driver: string; options: Record<string, string>; nodes?: string[] }>;
  /** NFS exports the mock can read, `host:/path` → local folder (an NFS storage or NFS-backed volume). */
  nfsExports: Record<string, string>;
  /**
   * Each replica's own NFS mount options, as its `dtr-registry-nfs-<replica>` volume's `o=` holds them
   * after `addr=` (absent: DTR's defaults, defaultNfsOptions). Set by `reconfigure --nfs-options` for
   * the replica it names; a reconfigure onto another NFS server gives every other replica the defaults
   * [mock choice, the pessimistic reading of dtr/facts.ts, nfsMountOptions].
   */
  nfsOptions?: Record<string, string>;
  repositories: MockRepository[];
  storage: MockStorage;
  /** Test fault: `namespace/name:tag` entries a restore loses while it applies the backup (bootstrapper.ts). */
  dropTagsOnRestore?: string[];
}

/** A stable repository id, so that a restored repository keeps the id it had. [mock choice] */
export function repositoryId(namespace: string, name: string): string {
  const hex = createHash('sha256').update(`${namespace}/${name}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

export function toMockRepositories(input: readonly MockRepositoryInput[], at: string): MockRepository[] {
  return input
    .map((repo) => ({
      id: repositoryId(repo.namespace, repo.name),
      namespace: repo.namespace,
      name: repo.name,
      visibility: 'private' as const,
      tags: repo.tags
        .map((tag) => ({
          name: tag.name,
          digest: tag.digest,
          mediaType: tag.mediaType ?? manifestV2MediaType,
          size: tag.size ?? 0,
          createdAt: at,
          updatedAt: at,
        }))
        .sort((a, b) => a.name.localeCompare(b.name)),
    }))
    .sort((a, b) => `${a.namespace}/${a.name}`.localeCompare(`${b.namespace}/${b.name}`));
}

/** A cron as DTR saves it: what was asked, a new id each time [DTR source], and when it runs next. */
export function newCron(fields: Omit<MockCron, 'id' | 'nextRun'>, now: number): MockCron {
  // [mock choice] nextRun is not computed from the schedule: an hour ahead, so that it never runs.
  return { ...fields, id: randomUUID(), nextRun: new Date(now + 3_600_000).toISOString() };
}

/** The onlinegc cron as the GC page creates it ("Until done", on a schedule). [inferred] */
export function gcCron(schedule: string, now: number): MockCron {
  const fields = { action: gcCronAction, schedule, retries: 0, capacityMap: {}, parameters: {}, deadline: '' };
  return newCron({ ...fields, stopTimeout: '' }, now);
}

/** The node a replica runs on unless a restore names another (`--ucp-node`). [mock choice] */
export const defaultNode = 'ucp-node-1';
/** The node of the n-th replica (1-based) of a cluster: one replica per node, as DTR requires. [mock choice] */
export const nodeOf = (n: number): string => `ucp-node-${n}`;

export function replicaSettingsOf(replicaId: string, node: string): Record<string, MockReplicaSettings> {
  return { [replicaId]: { HTTPPort: 80, HTTPSPort: 443, node } };
}

/**
 * The replicas of a cluster: the first on ucp-node-1 with DTR's default ports, the others on the
 * following nodes, each with its own ports (as an operator may set them with --replica-http(s)-port,
 * so that a join must pass them back). [mock choice]
 */
export function clusterSettingsOf(replicaIds: readonly string[]): Record<string, MockReplicaSettings> {
  return Object.fromEntries(
    replicaIds.map((id, i) => [
      id,
      i === 0
        ? { HTTPPort: 80, HTTPSPort: 443, node: nodeOf(1) }
        : { HTTPPort: 8080 + i, HTTPSPort: 8443 + i, node: nodeOf(i + 1) },
    ]),
  );
}

/**
 * The settings DTR keeps that are not derived from elsewhere in the state, with DTR's defaults [spec
 * field names; values inferred]. DTR installed with `--dtr-external-url` has single sign-on with UCP.
 */
export function defaultSettings(dtrHost: string): MockState['settings'] {
  return {
    dtrHost,
    readOnlyRegistry: false,
    sso: true,
    createRepositoryOnPush: false,
    httpProxy: '',
    httpsProxy: '',
    noProxy: '',
    disableUpgrades: false,
    reportAnalytics: false,
    anonymizeAnalytics: false,
    disableBackupWarning: false,
    logProtocol: 'internal',
    logHost: '',
    logLevel: 'INFO',
    webTLSCert: '',
    webTLSCA: '',
    webTLSClientCA: '',
    clientCertAuthEnabled: false,
    scanningEnabled: false,
    scanningSyncOnline: true,
    scanningDeadline: 0,
    scanningEnableAutoRecheck: false,
    jobHistoryCompactionEnabled: true,
    jobHistoryToKeep: 100,
    jobHistoryMaxAge: '720h',
    repoEventHistoryCompactionEnabled: true,
    repoEventHistoryToKeep: 100,
    repoEventHistoryMaxAge: '720h',
    disablePersistentCookies: false,
  };
}

export interface InitialState {
  readonly version: string;
  readonly replicaId: string;
  /** The other replicas of a cluster (none: one replica, as most DTRs outside production). */
  readonly otherReplicaIds?: readonly string[];
  readonly dtrHost: string;
  readonly repositories: readonly MockRepositoryInput[];
  readonly storage: MockStorage;
  readonly gcSchedule: string | null;
  readonly imageRepository: string;
  readonly nfsExports: Readonly<Record<string, string>>;
  readonly now: number;
}

export function createState(init: InitialState): MockState {
  const at = new Date(init.now).toISOString();
  return {
    version: init.version,
    replicaId: init.replicaId,
    replicaSettings: clusterSettingsOf([init.replicaId, ...(init.otherReplicaIds ?? [])]),
    installed: true,
    settings: defaultSettings(init.dtrHost),
    crons: init.gcSchedule === null ? [] : [gcCron(init.gcSchedule, init.now)],
    jobs: [],
    repositories: toMockRepositories(init.repositories, at),
    storage: init.storage,
    imageRepository: init.imageRepository,
    volumes: {},
    nfsExports: { ...init.nfsExports },
  };
}

/** The volume name DTR uses for its default local storage (dtr/facts.ts). */
export { defaultStorageVolume } from '../dtr/facts.js';

/** Where the data is: storages at the same location hold the same images (`--async-nfs` changes no data). */
export function sameStorageLocation(a: MockStorage, b: MockStorage): boolean {
  const where = (s: MockStorage): string => {
    switch (s.kind) {
      case 'default':
        return 'default';
      case 'volume':
        return `volume:${s.volume}`;
      case 'path':
        return `path:${s.path}`;
      case 'nfs':
        return `nfs:${s.host}:${s.path}`;
    }
  };
  return where(a) === where(b);
}

/** What cluster_status reports for a replica: "OK", unless a test made it unhealthy (`replicaHealth`). */
export function replicaHealthOf(state: MockState, replicaId: string): string {
  return state.replicaHealth?.[replicaId] ?? healthyReplicaStatus;
}
