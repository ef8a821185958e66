/**
 * Zod schemas of every DTR API answer dtr-migrate reads. The client parses each response with one of
 * these, and the mock DTR builds its answers with the same schemas, so the two cannot drift apart.
 *
 * Objects are `.passthrough()` where real DTR returns many more fields than we read (settings, jobs):
 * an unknown field must never break a migration, a missing one we rely on must.
 * See ../../shared/reference/dtr-api.md (sections 1 to 6) for which shapes are documented and which inferred.
 */
import { z } from 'zod';

/** `{"errors":[{"code","message","detail"}]}`: the docker-registry style envelope DTR uses. [inferred] */
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

/**
 * `GET /api/v0/meta/settings`. `readOnlyRegistry` is read, and where DTR keeps images (`storageVolume`: a
 * volume name or host path; `nfsHost` and `nfsPath`: an NFS export; empty when unused) [spec 2.7
 * responses.Settings]; DTR sends many more fields.
 */
export const settingsSchema = z
  .object({
    readOnlyRegistry: z.boolean(),
    dtrHost: z.string().optional(),
    storageVolume: z.string().optional(),
    nfsHost: z.string().optional(),
    nfsPath: z.string().optional(),
  })
  .passthrough();
export type Settings = z.infer<typeof settingsSchema>;

/** A scheduled job ("cron"), as listed by `GET /api/v0/crons`. Field list [doc]; paths [inferred]. */
export const cronSchema = z
  .object({
    id: z.string().optional(),
    action: z.string(),
    schedule: z.string(),
    retries: z.number().int().optional(),
    capacityMap: z.record(z.string(), z.number()).nullable().optional(),
    parameters: z.record(z.string(), z.unknown()).nullable().optional(),
    deadline: z.string().optional(),
    stopTimeout: z.string().optional(),
    nextRun: z.string().optional(),
  })
  .passthrough();
export type Cron = z.infer<typeof cronSchema>;

/** `GET /api/v0/crons`: `{"crons":[...]}`, the same envelope style as the jobs list. [inferred] */
export const cronListSchema = z.object({ crons: z.array(cronSchema) });

/** The body of `PUT /api/v0/crons/{action}` (restoring a schedule). */
export const cronUpdateSchema = z.object({
  schedule: z.string(),
  retries: z.number().int().optional(),
  capacityMap: z.record(z.string(), z.number()).nullable().optional(),
  parameters: z.record(z.string(), z.unknown()).nullable().optional(),
  deadline: z.string().optional(),
  stopTimeout: z.string().optional(),
});
export type CronUpdate = z.infer<typeof cronUpdateSchema>;

/** Job states [doc]. `done` is success; `errored`, `canceled`, `deleted` are failures. */
export const jobStatusSchema = z.enum([
  'waiting',
  'running',
  'done',
  'errored',
  'cancel_request',
  'canceled',
  'deleted',
]);
export type JobStatus = z.infer<typeof jobStatusSchema>;

export const jobSchema = z
  .object({
    id: z.string(),
    retryFromID: z.string().optional(),
    workerID: z.string().optional(),
    status: jobStatusSchema,
    scheduledAt: z.string().optional(),
    lastUpdated: z.string().optional(),
    action: z.string(),
    retriesLeft: z.number().int().optional(),
    retriesTotal: z.number().int().optional(),
    capacityMap: z.record(z.string(), z.number()).nullable().optional(),
    parameters: z.record(z.string(), z.unknown()).nullable().optional(),
    deadline: z.string().optional(),
    stopTimeout: z.string().optional(),
  })
  .passthrough();
export type Job = z.infer<typeof jobSchema>;

export const jobListSchema = z.object({ jobs: z.array(jobSchema) });

/** The body of `POST /api/v0/jobs`. */
export const jobRequestSchema = z.object({
  action: z.string(),
  parameters: z.record(z.string(), z.unknown()).optional(),
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

/** `GET /api/v0/meta/cluster_status`: replica health per replica id. Shape [inferred]. */
export const clusterStatusSchema = z
  .object({
    replica_health: z.record(z.string(), z.string()),
  })
  .passthrough();
export type ClusterStatus = z.infer<typeof clusterStatusSchema>;

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

/** `POST /api/v0/meta/settings` body (only the field we change). */
export const settingsUpdateSchema = z.object({ readOnlyRegistry: z.boolean() }).partial();

/** `GET /api/v0/jobs/{id}/logs`: the job's log lines, oldest first. Shape [inferred]. */
export const jobLogLineSchema = z
  .object({ jobID: z.string().optional(), lineNum: z.number().int(), data: z.string() })
  .passthrough();
export const jobLogsSchema = z.array(jobLogLineSchema);
