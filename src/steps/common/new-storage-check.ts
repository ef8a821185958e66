/**
 * Checks from the docker host which storage DTR's registry container serves images from: the mount at
 * /storage must be the new volume or path, or, for NFS, DTR's NFS volume (or the NFS-backed volume of
 * the 2.6.0-2.6.3 workaround) pointing at the new export.
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
const volumeOptionsSchema = z.record(z.string(), z.string()).nullable();

/** Undefined when DTR serves from `expected`; otherwise what it serves from instead. */
export async function storageMismatch(
  docker: Docker,
  replicaId: string,
  expected: NewStorage,
  signal: AbortSignal,
): Promise<string | undefined> {
  const mounts = await docker.json(inspectMountsCommand(replicaId), mountsSchema, {
    signal,
    purpose: 'inspecting the registry container',
  });
  const mount = mounts.find((m) => m.Destination === storageMountPoint);
  if (mount === undefined) return `the registry container has no ${storageMountPoint} mount`;
  const shown = mount.Name ?? mount.Source;
  if (expected.kind === 'volume') {
    return mount.Source === expected.volume || mount.Name === expected.volume
      ? undefined
      : `DTR serves images from ${shown}, not ${expected.volume}`;
  }
  const volume = expected.kind === 'nfs' ? nfsVolume(replicaId) : expected.volume;
  if (mount.Name !== volume)
    return `DTR serves images from ${shown}, not from ${expected.kind === 'nfs' ? 'its NFS volume' : `the NFS volume ${volume}`}`;
  const options = await docker.json(inspectVolumeOptionsCommand(mount.Name), volumeOptionsSchema, {
    signal,
    purpose: 'inspecting the NFS volume',
  });
  const url = new URL(expected.url);
  const addr = options?.['o']
    ?.split(',')
    .find((o) => o.startsWith('addr='))
    ?.slice(5);
  const device = options?.['device'];
  const wanted = `:${decodeURIComponent(url.pathname)}`;
  return addr === url.hostname && device === wanted
    ? undefined
    : `the NFS volume ${volume} points at ${addr ?? '?'}${device ?? ''}, not ${url.hostname}${wanted}`;
}
