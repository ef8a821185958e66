/**
 * Zod schemas of every DTR API answer dtr-migrate reads. The client parses each response with one of
 * these, and the mock DTR builds its answers with the same schemas, so the two cannot drift apart.
 *
 * Objects are `.passthrough()` where real DTR returns many more fields than we read (settings, jobs):
 * an unknown field must never break a migration, a missing one we rely on must.
 * `[spec]` marks shapes DTR's own API specification declares (test/contract/spec/, where the contract
 * tests check the mock's answers against it); see ../../shared/reference/dtr-api.md, section 11.
 */
import { z } from 'zod';

/** `{"errors":[{"code","message","detail"}]}`: the docker-registry style envelope DTR uses (not in the spec). */
export const errorEnvelopeSchema = z.object({
  errors: z.array(
    z.object({
      code: z.string(),
      message: z.string(),
      detail: z.unknown().optional(),
    }),
  ),
});
export type ErrorEnvelope = z.infer<typeof errorEnvelopeSchema>;

/** `replicaSettings` of the settings: where each replica runs. [spec 2.6+; 2.5 says only "object"] */
const replicaSettingsSchema = z
  .object({
    HTTPPort: z.number().int().optional(),
    HTTPSPort: z.number().int().optional(),
    node: z.string().optional(),
  })
  .passthrough();

/**
 * `GET /api/v0/meta/settings` [spec]. DTR 2.5 has no `readOnlyRegistry` (read-only mode came with 2.6).
 * `storageVolume` (a volume name or host path), `nfsHost` and `nfsPath` name the current storage, empty
 * when not used; `replicaSettings` names each replica's node.
 */
export const settingsSchema = z
  .object({
    readOnlyRegistry: z.boolean().optional(),
    dtrHost: z.string().optional(),
    replicaID: z.string().optional(),
    replicaSettings: z.record(z.string(), replicaSettingsSchema).optional(),
    storageVolume: z.string().optional(),
    nfsHost: z.string().optional(),
    nfsPath: z.string().optional(),
  })
  .passthrough();
export type Settings = z.infer<typeof settingsSchema>;

/** DTR's job parameters are strings [spec]; Go writes an unset map as null. */
const stringMap = z.record(z.string(), z.string()).nullable().optional();
const capacityMap = z.record(z.string(), z.number().int()).nullable().optional();

/** A scheduled job ("cron"), as `GET /api/v0/crons` lists them [spec]. */
export const cronSchema = z
  .object({
    id: z.string().optional(),
    action: z.string(),
    schedule: z.string(),
    retries: z.number().int().optional(),
    capacityMap,
    parameters: stringMap,
    deadline: z.string().optional(),
    stopTimeout: z.string().optional(),
    nextRun: z.string().optional(),
  })
  .passthrough();
export type Cron = z.infer<typeof cronSchema>;

/** `GET /api/v0/crons`: `{"crons":[...]}` [spec]. */
export const cronListSchema = z.object({ crons: z.array(cronSchema) });

/**
 * The body of `POST /api/v0/crons`, which creates or replaces the cron of `action` (a new id each time)
 * [spec: tmpforms.CronCreate, every field required]. `schedule` is a cron expression with a seconds
 * field, or a descriptor such as `@hourly` [DTR source].
 */
export const cronCreateSchema = z.object({
  action: z.string().min(1),
  schedule: z.string().min(1),
  retries: z.number().int(),
  capacityMap: z.record(z.string(), z.number().int()),
  parameters: z.record(z.string(), z.string()),
  deadline: z.string(),
  stopTimeout: z.string(),
});
export type CronCreate = z.infer<typeof cronCreateSchema>;

/**
 * A job's status. The set is open [spec lists five; the job-queue docs add more, see dtr/facts.ts
 * jobOutcome]: an unknown value must never break a listing.
 */
export type JobStatus = string;

export const jobSchema = z
  .object({
    id: z.string(),
    retryFromID: z.string().optional(),
    workerID: z.string().optional(),
    status: z.string(),
    scheduledAt: z.string().optional(),
    lastUpdated: z.string().optional(),
    action: z.string(),
    retriesLeft: z.number().int().optional(),
    retriesTotal: z.number().int().optional(),
    capacityMap,
    parameters: stringMap,
    deadline: z.string().optional(),
    stopTimeout: z.string().optional(),
  })
  .passthrough();
export type Job = z.infer<typeof jobSchema>;

export const jobListSchema = z.object({ jobs: z.array(jobSchema) });

/** The body of `POST /api/v0/jobs`; DTR fills in what is left out [DTR docs' curl sends only the action]. */
export const jobRequestSchema = z.object({
  action: z.string(),
  parameters: z.record(z.string(), z.string()).optional(),
});

export const workerSchema = z
  .object({
    id: z.string(),
    status: z.string(),
    capacityMap: z.record(z.string(), z.number()).nullable().optional(),
    heartbeatExpiration: z.string().optional(),
  })
  .passthrough();
export const workerListSchema = z.object({ workers: z.array(workerSchema) });

/** Replica ids are 12 hex characters [doc]. */
export const replicaIdSchema = z.string().regex(/^[0-9a-f]{12}$/, 'a replica id is 12 hexadecimal characters');

/**
 * `GET /api/v0/meta/cluster_status` [spec]: health per replica (`"OK"` when healthy), read-only mode
 * per replica, and the holder of the GC lock (empty unless a garbage collection holds it).
 */
export const clusterStatusSchema = z
  .object({
    replica_health: z.record(z.string(), z.string()),
    replica_readonly: z.record(z.string(), z.boolean()).optional(),
    gc_lock_holder: z.string().optional(),
  })
  .passthrough();
export type ClusterStatus = z.infer<typeof clusterStatusSchema>;

/** `GET /api/v0/docs.json`: DTR's own API specification, whose `info.version` is the running version. */
export const apiDocsSchema = z.object({ info: z.object({ version: z.string() }).passthrough() }).passthrough();

export const repositorySchema = z
  .object({
    id: z.string(),
    namespace: z.string(),
    namespaceType: z.string().optional(),
    name: z.string(),
    visibility: z.string().optional(),
  })
  .passthrough();
export type Repository = z.infer<typeof repositorySchema>;
export const repositoryPageSchema = z.object({ repositories: z.array(repositorySchema) });

export const tagSchema = z
  .object({
    name: z.string(),
    digest: z.string(),
    author: z.string().optional(),
    createdAt: z.string().optional(),
    updatedAt: z.string().optional(),
    manifest: z
      .object({ digest: z.string(), mediaType: z.string().optional(), size: z.number().optional() })
      .passthrough()
      .optional(),
  })
  .passthrough();
export type Tag = z.infer<typeof tagSchema>;
export const tagPageSchema = z.array(tagSchema);

/** `POST /api/v0/meta/settings` body: a partial update (only the field we change). */
export const settingsUpdateSchema = z.object({ readOnlyRegistry: z.boolean() }).partial();
export type SettingsUpdate = z.infer<typeof settingsUpdateSchema>;

/** `GET /api/v0/jobs/{id}/logs`: the job's log lines, oldest first [spec]. */
export const jobLogsSchema = z.array(z.object({ lineNum: z.number().int(), data: z.string() }));
