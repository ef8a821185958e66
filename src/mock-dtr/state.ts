/**
 * The mock DTR's live state: plain data that the routes read and change, and that tests may inspect or
 * edit directly (for example set `installed = false`, or push a job). Times are ms since the epoch;
 * job status is computed from the clock when read (see jobs.ts), so nothing here ticks.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { Cron } from '../api/schemas.js';
import { gcCronAction } from '../dtr/facts.js';
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
  parameters: Record<string, unknown> | null;
  /** When it was queued. */
  scheduledAt: number;
  /** When a worker picks it up (status waiting before, running after). */
  runningAt: number;
  /** When it finishes with `outcome`. */
  endsAt: number;
  /** Tests may set 'errored' to see a failing job. */
  outcome: 'done' | 'errored';
  /** Set by DELETE /api/v0/jobs/{id}. */
  cancelRequestedAt?: number;
}

export interface MockState {
  version: string;
  replicaId: string;
  /** False after `docker/dtr destroy`: the API answers 503 and the containers are gone. */
  installed: boolean;
  /** GET /api/v0/meta/settings (DTR has many fields; `readOnlyRegistry` is the one that matters). */
  settings: Record<string, unknown> & { readOnlyRegistry: boolean };
  crons: Cron[];
  jobs: MockJob[];
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

/** The onlinegc cron as the GC page creates it ("Until done", on a schedule). [inferred] */
export function gcCron(schedule: string): Cron {
  return {
    id: randomUUID(),
    action: gcCronAction,
    schedule,
    retries: 0,
    capacityMap: null,
    parameters: {},
    deadline: '',
    stopTimeout: '',
  };
}

/** A subset of DTR's real settings fields, so that clients see a realistic object. */
export function defaultSettings(dtrHost: string): MockState['settings'] {
  return {
    dtrHost,
    readOnlyRegistry: false,
    sso: false,
    createRepositoryOnPush: false,
    logProtocol: 'internal',
    logHost: '',
    logLevel: 'INFO',
    webTLSCert: '',
    replicaHTTPPort: 80,
    replicaHTTPSPort: 443,
    disableUpgrades: false,
    reportAnalytics: false,
  };
}

export interface InitialState {
  readonly version: string;
  readonly replicaId: string;
  readonly dtrHost: string;
  readonly repositories: readonly MockRepositoryInput[];
  readonly storage: MockStorage;
  readonly gcSchedule: string | null;
  readonly now: number;
}

export function createState(init: InitialState): MockState {
  const at = new Date(init.now).toISOString();
  return {
    version: init.version,
    replicaId: init.replicaId,
    installed: true,
    settings: defaultSettings(init.dtrHost),
    crons: init.gcSchedule === null ? [] : [gcCron(init.gcSchedule)],
    jobs: [],
    repositories: toMockRepositories(init.repositories, at),
    storage: init.storage,
  };
}

/** The volume name DTR uses for its default local storage. [doc] */
export const defaultStorageVolume = (replicaId: string): string => `dtr-registry-${replicaId}`;

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
