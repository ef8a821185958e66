/**
 * What `docker container inspect` and `docker volume inspect` would report about DTR's containers and
 * volumes, derived from the mock's state. Shapes follow docker's JSON (`.Mounts` entries, `.Options`).
 * The registry container also mounts its CA volume at /ca, as DTR's does, so a reader must pick the
 * mount whose destination is /storage rather than the first one. [mock choice]
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

function volumeMount(name: string, destination: string): DockerMount {
  return { Type: 'volume', Name: name, Source: volumeSource(name), Destination: destination, Driver: 'local', Mode: 'z', RW: true, Propagation: '' };
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

const caVolume = (replicaId: string): string => `dtr-ca-${replicaId}`;

/** `.Mounts` of a container, or undefined when there is no such container (DTR destroyed included). */
export function containerMounts(state: MockState, container: string): DockerMount[] | undefined {
  if (!state.installed || container !== registryContainer(state.replicaId)) return undefined;
  const storage =
    state.storage.kind === 'path'
      ? ({ Type: 'bind', Source: state.storage.path, Destination: storageMountPoint, Mode: '', RW: true, Propagation: 'rprivate' } as const)
      : volumeMount(storageVolumeName(state.storage, state.replicaId) ?? '', storageMountPoint);
  return [volumeMount(caVolume(state.replicaId), '/ca'), storage];
}

/**
 * `.Options` of a volume: the NFS volume's driver options, `null` for a plain local volume (as docker
 * prints it), undefined when there is no such volume.
 */
export function volumeOptions(state: MockState, volume: string): Record<string, string> | null | undefined {
  if (!state.installed) return undefined;
  if (volume === caVolume(state.replicaId)) return null;
  if (volume !== storageVolumeName(state.storage, state.replicaId)) return undefined;
  if (state.storage.kind !== 'nfs') return null;
  const o = `addr=${state.storage.host},nfsvers=4${state.storage.async ? ',async' : ''}`;
  return { type: 'nfs', o, device: `:${state.storage.path}` };
}
