/**
 * The private protocol between the docker stand-in (bin/dtr-mock-docker.js) and the mock DTR's `/_mock/`
 * endpoints: the server validates requests with these schemas and the stand-in builds them from the
 * inferred types, so they cannot drift apart. None of this is DTR's API.
 *
 * - `POST /_mock/bootstrapper/{backup|destroy|restore|reconfigure|join}`: what the docker/dtr bootstrapper does.
 *   HTTP basic auth with the UCP username and password the bootstrapper was given (401 otherwise, as UCP
 *   would refuse them). Answers `bootstrapperResultSchema`, or an error envelope whose message the
 *   stand-in prints.
 *   A bootstrapper image from another repository than the mock's images is not on the host and cannot be
 *   pulled: 404 `NO_SUCH_IMAGE`, before any login.
 * - `GET /_mock/containers` (all), `GET /_mock/containers/{name}`, `GET /_mock/volumes/{name}`: the
 *   inspect objects the docker daemon would give (404 `NO_SUCH_OBJECT` otherwise); `POST /_mock/volumes`
 *   creates a volume (`docker volume create`). No credentials: access to the docker socket is the
 *   daemon's only check.
 * Paths and variable names are in stand-in-endpoints.ts, which does not load zod: the stand-in imports
 * only types from here, to start fast (it is spawned for every docker command).
 */
import { z } from 'zod';

/** Where the registry container keeps image data. */
export const mockStorageSchema = z.discriminatedUnion('kind', [
  /** The default storage: the named volume dtr-registry-<replica id>. */
  z.object({ kind: z.literal('default') }),
  /** A named docker volume given with --dtr-storage-volume <name>. */
  z.object({ kind: z.literal('volume'), volume: z.string() }),
  /** A host folder given with --dtr-storage-volume </absolute/path> (a bind mount). */
  z.object({ kind: z.literal('path'), path: z.string() }),
  /** --nfs-storage-url nfs://<host>/<path>, optionally with --async-nfs. */
  z.object({ kind: z.literal('nfs'), url: z.string(), host: z.string(), path: z.string(), async: z.boolean() }),
]);
export type MockStorage = z.infer<typeof mockStorageSchema>;

const common = {
  /** The repository of the bootstrapper image that was run (`docker/dtr`, `mirantis/dtr`, a mirror's). */
  imageRepository: z.string(),
  /** The tag of the bootstrapper image that was run. */
  imageVersion: z.string(),
  ucpUrl: z.string(),
  replicaId: z.string(),
};

export const backupRequestSchema = z.object(common);
export const destroyRequestSchema = z.object(common);
export const restoreRequestSchema = z.object({
  ...common,
  storage: mockStorageSchema,
  ucpNode: z.string().optional(),
  /** `--dtr-external-url`: without it DTR comes back without single sign-on with UCP. */
  externalUrl: z.string().optional(),
  /** The bytes the bootstrapper read on stdin, base64. */
  archive: z.string(),
});
export const reconfigureRequestSchema = z.object({
  ...common,
  /** Absent: the storage is not changed. */
  storage: mockStorageSchema.optional(),
  storageMigrated: z.boolean(),
  reinitializeStorage: z.boolean(),
  /** `--nfs-options`: the NFS mount options of the replica named. */
  nfsOptions: z.string().optional(),
});
/** `join`: `replicaId` is the replica joined to (`--existing-replica-id`), `newReplicaId` the one added. */
export const joinRequestSchema = z.object({
  ...common,
  newReplicaId: z.string(),
  ucpNode: z.string(),
  httpPort: z.number().int().optional(),
  httpsPort: z.number().int().optional(),
  unsafeJoin: z.boolean(),
});
export type JoinRequest = z.infer<typeof joinRequestSchema>;
export type BackupRequest = z.infer<typeof backupRequestSchema>;
export type DestroyRequest = z.infer<typeof destroyRequestSchema>;
export type RestoreRequest = z.infer<typeof restoreRequestSchema>;
export type ReconfigureRequest = z.infer<typeof reconfigureRequestSchema>;

/** `docker volume create` (`POST /_mock/volumes`): a volume outside DTR's own, kept across a destroy. */
export const volumeCreateRequestSchema = z.object({
  /** `<node>/<name>` makes it on that node only (UCP's classic Swarm naming); a bare name on every node. */
  name: z.string().min(1),
  driver: z.string(),
  options: z.record(z.string(), z.string()),
});
export type VolumeCreateRequest = z.infer<typeof volumeCreateRequestSchema>;

export const bootstrapperResultSchema = z.object({
  /** Lines the bootstrapper logs (stderr). */
  log: z.array(z.string()),
  /** Backup only: the tar to write on stdout, base64. */
  archive: z.string().optional(),
});
export type BootstrapperResult = z.infer<typeof bootstrapperResultSchema>;
