/**
 * What `docker container inspect` and `docker volume inspect` would report about DTR's containers and
 * volumes, derived from the mock's state. Shapes follow docker's inspect JSON (a subset of its fields).
 * [mock choices]
 * - The registry container also mounts its CA volume at /ca, as DTR's does, so a reader must pick the
 *   mount whose destination is /storage rather than the first one.
 * - Its `Config.Env` holds DTR_VERSION and DTR_REPLICA_ID, which the DTR docs' own recipe reads.
 * - DTR's other containers exist too (dtr-rethinkdb-<id> with its dtr-rethink-<id> volume, dtr-api-<id>,
 *   ...), so `docker ps --filter name=dtr-rethinkdb-` finds the replica id as the docs' recipe does.
 * - After destroy no container or volume exists.
 */
import { nfsVolume, registryContainer, storageMountPoint } from '../dtr/facts.js';
import { defaultStorageVolume, type MockState, type MockStorage } from './state.js';

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
const rethinkContainer = (replicaId: string): string => `dtr-rethinkdb-${replicaId}`;
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

function container(name: string, image: string, env: string[], mounts: DockerMount[]): Record<string, unknown> {
  return {
    Id: Buffer.from(name).toString('hex').padEnd(64, '0').slice(0, 64),
    Name: `/${name}`,
    State: { Status: 'running', Running: true },
    Config: { Image: image, Env: env },
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
  const mounts = [volumeMount(caVolume(id), '/ca')];
  if (name === registryContainer(id)) mounts.push(storageMount(state));
  if (name === rethinkContainer(id)) mounts.push(volumeMount(rethinkVolume(id), '/data'));
  return container(name, `docker/dtr-${service}:${state.version}`, env, mounts);
}

/** Every container, as `docker ps --all` sees them (none once DTR is destroyed). */
export function listContainers(state: MockState): Record<string, unknown>[] {
  return services.map((s) => inspectContainer(state, `dtr-${s}-${state.replicaId}`)).filter((c) => c !== undefined);
}

/** `docker volume inspect` of one volume (NFS driver options included), or undefined when absent. */
export function inspectVolume(state: MockState, name: string): Record<string, unknown> | undefined {
  if (!state.installed) return undefined;
  const id = state.replicaId;
  const local = (options: Record<string, string> | null) => ({
    Name: name,
    Driver: 'local',
    Mountpoint: volumeSource(name),
    Options: options,
    Scope: 'local',
  });
  if (name === caVolume(id) || name === rethinkVolume(id)) return local(null);
  if (name !== storageVolumeName(state.storage, id)) return undefined;
  if (state.storage.kind !== 'nfs') return local(null);
  const o = `addr=${state.storage.host},nfsvers=4${state.storage.async ? ',async' : ''}`;
  return local({ type: 'nfs', o, device: `:${state.storage.path}` });
}
