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
 * - Each replica's containers and volumes exist while it is part of the cluster (a destroy removes only
 *   its own); the storage is the cluster's, mounted by every replica's registry container.
 * - The docker client is UCP's (a client bundle), so it sees every node: a volume name may be given as
 *   `<node>/<name>`, UCP's classic Swarm naming [inferred], to ask for it on one node. A volume made
 *   with a bare name exists on every node; one made as `<node>/<name>` on that node only.
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

function storageMount(state: MockState, replicaId: string): DockerMount {
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
  return volumeMount(storageVolumeName(state.storage, replicaId) ?? '', storageMountPoint);
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
  const id = Object.keys(state.replicaSettings).find((replica) => name.endsWith(`-${replica}`));
  const service = id === undefined ? undefined : services.find((s) => name === `dtr-${s}-${id}`);
  if (id === undefined || service === undefined) return undefined;
  const env = [
    `DTR_VERSION=${state.version}`,
    `DTR_REPLICA_ID=${id}`,
    'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
  ];
  const labels = { 'com.docker.dtr.version': state.version, 'com.docker.dtr.replica': id };
  const mounts = [volumeMount(caVolume(id), '/ca')];
  if (name === registryContainer(id)) mounts.push(storageMount(state, id));
  if (name === rethinkContainer(id)) mounts.push(volumeMount(rethinkVolume(id), '/data'));
  const image = `${state.imageRepository}/dtr-${service === 'rethinkdb' ? 'rethink' : service}:${state.version}`;
  return container(name, image, env, labels, mounts);
}

/** Every container, as `docker ps --all` sees them (none once DTR is destroyed). */
export function listContainers(state: MockState): Record<string, unknown>[] {
  return Object.keys(state.replicaSettings)
    .flatMap((id) => services.map((s) => inspectContainer(state, `dtr-${s}-${id}`)))
    .filter((c) => c !== undefined);
}

/** `<node>/<name>` → the node (when it is one of the cluster's, or of a volume made on it) and the name. */
function onNode(state: MockState, name: string): { node?: string; name: string } {
  const slash = name.indexOf('/');
  if (slash <= 0) return { name };
  return { node: name.slice(0, slash), name: name.slice(slash + 1) };
}

/** `docker volume inspect` of one volume (NFS driver options included), or undefined when absent. */
export function inspectVolume(state: MockState, asked: string): Record<string, unknown> | undefined {
  const { node, name } = onNode(state, asked);
  const local = (options: Record<string, string> | null) => ({
    Name: name,
    Driver: 'local',
    Mountpoint: volumeSource(name),
    Options: options,
    Scope: 'local',
  });
  const created = state.volumes[name];
  if (created !== undefined && (node === undefined || created.nodes === undefined || created.nodes.includes(node)))
    return { ...local(created.options), Driver: created.driver };
  if (!state.installed) return undefined;
  // A replica's own volume is on its node; the storage volume named to DTR is on every replica's node.
  const own = Object.keys(state.replicaSettings).find((replica) => name.endsWith(`-${replica}`));
  const id = own ?? state.replicaId;
  const nodes = own === undefined ? Object.values(state.replicaSettings) : [state.replicaSettings[own]];
  if (node !== undefined && !nodes.some((r) => r?.node === node)) return undefined;
  if (name === caVolume(id) || name === rethinkVolume(id)) return local(null);
  if (name !== storageVolumeName(state.storage, id)) return undefined;
  if (state.storage.kind !== 'nfs') return local(null);
  const o = `addr=${state.storage.host},${state.nfsOptions?.[id] ?? defaultNfsOptions(state.storage.async)}`;
  return local({ type: 'nfs', o, device: `:${state.storage.path}` });
}

/** `docker volume create`: a volume that exists already is left as it is (made on one more node), as docker does. */
export function createVolume(state: MockState, request: VolumeCreateRequest): { Name: string } {
  const { node, name } = onNode(state, request.name);
  const existing = state.volumes[name];
  if (existing === undefined) {
    state.volumes[name] = {
      driver: request.driver,
      options: { ...request.options },
      ...(node === undefined ? {} : { nodes: [node] }),
    };
  } else if (node === undefined) delete existing.nodes;
  else if (existing.nodes !== undefined && !existing.nodes.includes(node)) existing.nodes.push(node);
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

/** The mount options DTR gives an NFS volume when none were asked for [mock choice: NFS 4, `async` with --async-nfs]. */
export const defaultNfsOptions = (async: boolean): string => `nfsvers=4${async ? ',async' : ''}`;
