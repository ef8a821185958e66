/**
 * Which storage DTR's registry container serves images from, as the docker host reports it: the mount at
 * /storage (a bind-mounted host path, or a volume), and for a volume backed by NFS the server and export
 * its options name. Read for the new storage (after a restore or reconfigure, it must be the one named: a
 * volume or path, DTR's own NFS volume, or the NFS-backed volume of the 2.6.0-2.6.3 workaround) and for
 * the old one (before anything changes, --source-storage must be it: source-check.ts).
 */
import { z } from 'zod';
import type { Docker } from '../../docker/docker.js';
import { inspectMountsCommand, inspectVolumeOptionsCommand, type NewStorage } from '../../docker/dtr-commands.js';
import { nfsVolume, storageMountPoint } from '../../dtr/facts.js';

const mountsSchema = z.array(
  z
    .object({ Type: z.string(), Name: z.string().optional(), Source: z.string(), Destination: z.string() })
    .passthrough(),
);
/** `docker volume inspect --format '{{json .Options}}'`: a volume's driver options, null when it has none. */
export const volumeOptionsSchema = z.record(z.string(), z.string()).nullable();

export interface ServedStorage {
  /** How docker names it: the volume name, or the host path of a bind mount. */
  readonly shown: string;
  readonly volume?: string;
  /** The directory on the docker host: a bind mount's source, or the volume's mount point. */
  readonly hostPath: string;
  /** For a volume backed by NFS: the server and the exported path (`addr=` and `device=` of its options). */
  readonly nfs?: { readonly host: string; readonly path: string };
}

/** What the registry container of `replicaId` mounts at /storage; undefined when it mounts nothing there. */
export async function servedStorage(
  docker: Docker,
  replicaId: string,
  signal: AbortSignal,
): Promise<ServedStorage | undefined> {
  const mounts = await docker.json(inspectMountsCommand(replicaId), mountsSchema, {
    signal,
    purpose: 'inspecting the registry container',
  });
  const mount = mounts.find((m) => m.Destination === storageMountPoint);
  if (mount === undefined) return undefined;
  const served = { shown: mount.Name ?? mount.Source, hostPath: mount.Source };
  if (mount.Type !== 'volume' || mount.Name === undefined) return served;
  const options = await docker.json(inspectVolumeOptionsCommand(mount.Name), volumeOptionsSchema, {
    signal,
    purpose: 'inspecting the storage volume',
  });
  const host = options?.['o']
    ?.split(',')
    .find((o) => o.startsWith('addr='))
    ?.slice(5);
  const device = options?.['device'];
  const isNfs = options?.['type']?.startsWith('nfs') === true && host !== undefined && device !== undefined;
  return {
    ...served,
    volume: mount.Name,
    ...(isNfs ? { nfs: { host, path: device.replace(/^[^:]*:/, '') } } : {}),
  };
}

/** Undefined when DTR serves from `expected`; otherwise what it serves from instead. */
export async function storageMismatch(
  docker: Docker,
  replicaId: string,
  expected: NewStorage,
  signal: AbortSignal,
): Promise<string | undefined> {
  const served = await servedStorage(docker, replicaId, signal);
  if (served === undefined) return `the registry container has no ${storageMountPoint} mount`;
  if (expected.kind === 'volume') {
    return served.hostPath === expected.volume || served.volume === expected.volume
      ? undefined
      : `DTR serves images from ${served.shown}, not ${expected.volume}`;
  }
  const volume = expected.kind === 'nfs' ? nfsVolume(replicaId) : expected.volume;
  if (served.volume !== volume)
    return `DTR serves images from ${served.shown}, not from ${expected.kind === 'nfs' ? 'its NFS volume' : `the NFS volume ${volume}`}`;
  const url = new URL(expected.url);
  const wanted = decodeURIComponent(url.pathname);
  return served.nfs?.host === url.hostname && served.nfs.path === wanted
    ? undefined
    : `the NFS volume ${volume} points at ${served.nfs?.host ?? '?'}:${served.nfs?.path ?? ''}, not ${url.hostname}:${wanted}`;
}
