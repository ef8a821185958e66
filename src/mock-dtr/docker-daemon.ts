/**
 * What `docker container inspect` and `docker volume inspect` would report about DTR's containers and
 * volumes, derived from the mock's state. Shapes follow docker's inspect JSON (a subset of its fields).
 * [mock choices]
 * - The registry container also mounts its CA volume at /ca, as DTR's does, so a reader must pick the
 *   mount whose destination is /storage rather than the first one.
 * - Its `Config.Env` holds DTR_VERSION and DTR_REPLICA_ID, which the DTR docs' own recipe reads; every
 *   container has the labels `com.docker.dtr.version` and `com.docker.dtr.replica` launchpad reads, and
 *   runs `<imageRepository>/dtr-<image>:<version>` (dtr-rethinkdb runs `dtr-rethink`) [launchpad].
 * - Volumes made with `docker volume create` are the host's, not DTR's: they outlive a destroy.
 * - DTR's other containers exist too (dtr-rethinkdb-<id> with its dtr-rethink-<id> volume, dtr-api-<id>,
 *   ...), so `docker ps --filter name=dtr-rethinkdb-` finds the replica id as the docs' recipe does.
 * - After destroy no container or volume exists.
 */
import { nfsVolume, registryContainer, rethinkContainer, storageMountPoint } from '../dtr/facts.js';
import { defaultStorageVolume, type MockState, type MockStorage } from './state.js';
import type { VolumeCreateRequest } from './stand-in-protocol.js';

export interface DockerMount {
  readonly Type: 'bind' | 'volume';
  readonly Name?: string;
  readonly Source: string;
  readonly Destination: string;
  readonly Driver?: string;
  readonly Mode: string;
  readonly RW: boolean;
  readonly Propagation: string;
}

const volumeSource = (name: string): string => `/var/lib/docker/volumes/${name}/_data`;
const caVolume = (replicaId: string): string => `dtr-ca-${replicaId}`;
const rethinkVolume = (replicaId: string): string => `dtr-rethink-${replicaId}`;

function volumeMount(name: string, destination: string): DockerMount {
  return {
    Type: 'volume',
    Name: name,
    Source: volumeSource(name),
    Destination: destination,
    Driver: 'local',
    Mode: 'z',
    RW: true,
    Propagation: '',
  };
}

/** The volume that holds image data, when the storage is a docker volume (not a bind mount). */
function storageVolumeName(storage: MockStorage, replicaId: string): string | undefined {
  switch (storage.kind) {
    case 'default':
      return defaultStorageVolume(replicaId);
    case 'volume':
      return storage.volume;
    case 'nfs':
      return nfsVolume(replicaId);
    case 'path':
      return undefined;
  }
}

function storageMount(state: MockState): DockerMount {
  if (state.storage.kind === 'path') {
    return {
      Type: 'bind',
      Source: state.storage.path,
      Destination: storageMountPoint,
      Mode: '',
      RW: true,
      Propagation: 'rprivate',
    };
  }
  return volumeMount(storageVolumeName(state.storage, state.replicaId) ?? '', storageMountPoint);
}

function container(
  name: string,
  image: string,
  env: string[],
  labels: Record<string, string>,
  mounts: DockerMount[],
): Record<string, unknown> {
  return {
    Id: Buffer.from(name).toString('hex').padEnd(64, '0').slice(0, 64),
    Name: `/${name}`,
    State: { Status: 'running', Running: true },
    Config: { Image: image, Env: env, Labels: labels },
    Mounts: mounts,
  };
}

/** DTR's containers on a replica's node. [doc: the dtr-<service>-<replica id> naming] */
const services = [
  'api',
  'garant',
  'jobrunner',
  'nginx',
  'notary-server',
  'notary-signer',
  'registry',
  'rethinkdb',
  'scanningstore',
];

/** `docker container inspect` of one container, or undefined when there is no such container. */
export function inspectContainer(state: MockState, name: string): Record<string, unknown> | undefined {
  if (!state.installed) return undefined;
  const id = state.replicaId;
  const service = services.find((s) => name === `dtr-${s}-${id}`);
  if (service === undefined) return undefined;
  const env = [
    `DTR_VERSION=${state.version}`,
    `DTR_REPLICA_ID=${id}`,
    'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
  ];
  const labels = { 'com.docker.dtr.version': state.version, 'com.docker.dtr.replica': id };
  const mounts = [volumeMount(caVolume(id), '/ca')];
  if (name === registryContainer(id)) mounts.push(storageMount(state));
  if (name === rethinkContainer(id)) mounts.push(volumeMount(rethinkVolume(id), '/data'));
  const image = `${state.imageRepository}/dtr-${service === 'rethinkdb' ? 'rethink' : service}:${state.version}`;
  return container(name, image, env, labels, mounts);
}

/** Every container, as `docker ps --all` sees them (none once DTR is destroyed). */
export function listContainers(state: MockState): Record<string, unknown>[] {
  return services.map((s) => inspectContainer(state, `dtr-${s}-${state.replicaId}`)).filter((c) => c !== undefined);
}

/** `docker volume inspect` of one volume (NFS driver options included), or undefined when absent. */
export function inspectVolume(state: MockState, name: string): Record<string, unknown> | undefined {
  const local = (options: Record<string, string> | null) => ({
    Name: name,
    Driver: 'local',
    Mountpoint: volumeSource(name),
    Options: options,
    Scope: 'local',
  });
  const created = state.volumes[name];
  if (created !== undefined) return { ...local(created.options), Driver: created.driver };
  if (!state.installed) return undefined;
  const id = state.replicaId;
  if (name === caVolume(id) || name === rethinkVolume(id)) return local(null);
  if (name !== storageVolumeName(state.storage, id)) return undefined;
  if (state.storage.kind !== 'nfs') return local(null);
  const o = `addr=${state.storage.host},nfsvers=4${state.storage.async ? ',async' : ''}`;
  return local({ type: 'nfs', o, device: `:${state.storage.path}` });
}

/** `docker volume create`: a volume that exists already is left as it is, as docker does. */
export function createVolume(state: MockState, request: VolumeCreateRequest): { Name: string } {
  state.volumes[request.name] ??= { driver: request.driver, options: { ...request.options } };
  return { Name: request.name };
}

/** The NFS export (`host:/path`) a volume's driver options mount, if it is an NFS volume. */
function nfsExportOf(options: Record<string, string>): string | undefined {
  if (options['type'] !== 'nfs') return undefined;
  const host = /(?:^|,)addr=([^,]+)/.exec(options['o'] ?? '')?.[1];
  const device = options['device'];
  return host === undefined || device === undefined || !device.startsWith(':') ? undefined : `${host}${device}`;
}

/**
 * The local folder holding what `storage` holds, when the mock can read it: a host folder, an NFS export
 * the mock was given (`nfsExports`), or an NFS-backed volume made with `docker volume create`.
 */
export function storageFolderOf(state: MockState, storage: MockStorage): string | undefined {
  if (storage.kind === 'path') return storage.path;
  if (storage.kind === 'nfs') return state.nfsExports[`${storage.host}${storage.path}`];
  if (storage.kind !== 'volume') return undefined;
  const created = state.volumes[storage.volume];
  const nfs = created === undefined ? undefined : nfsExportOf(created.options);
  return nfs === undefined ? undefined : state.nfsExports[nfs];
}
