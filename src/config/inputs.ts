/**
 * Every input a migration needs, declared once: its flag, environment variable, config-file key,
 * schema, prompt and default. Flags, the config file, prompts, `--help` and the "missing input"
 * errors are all derived from this table, so they cannot disagree.
 *
 * Secrets (`secret: true`) come only from the environment, stdin or a hidden prompt: they have no
 * flag value and no config key, and they are never journaled.
 */
import { z } from 'zod';
import { replicaIdSchema } from '../api/schemas.js';
import { procedureIds } from '../dtr/procedures.js';
import { pullCheckModes } from '../inventory/pull-check.js';
import {
  count,
  flagBoolean,
  gcSchedule,
  httpUrl,
  imageRepository,
  nfsUrl,
  path,
  positiveInt,
  timeoutSeconds,
  version,
} from './value-schemas.js';

/**
 * Where an input is listed in `--help`: every command shows the groups it uses (cli/help.ts), so a new
 * input appears in the right commands' help by naming its group here.
 */
export const inputGroups = ['dtr', 'bootstrapper', 'storage', 'procedure', 'patience', 'consent'] as const;
export type InputGroup = (typeof inputGroups)[number];

export interface InputSpec {
  /** Its heading in `--help`, and so the commands whose help lists it. */
  readonly group: InputGroup;
  /** The long flag, e.g. `--dtr-url`; for secrets, the flag that reads them from stdin, if any. */
  readonly flag: string;
  /** Placeholder shown in --help (`<url>`); absent for boolean switches. */
  readonly valueName?: string;
  readonly env?: string;
  readonly schema: z.ZodType<unknown>;
  readonly description: string;
  /** Question asked in the interactive wizard when nothing else gave a value. */
  readonly prompt?: string;
  readonly secret?: boolean;
  readonly default?: unknown;
  /** May stay unset (e.g. the NFS URL when the target is a volume). */
  readonly optional?: boolean;
  /** A yes/no question asked in the wizard before the default is taken; scripts get the default. */
  readonly confirm?: string;
  /** Also accept `--no-<name>` (boolean inputs). */
  readonly negatable?: boolean;
  /**
   * Consent for this run only (a destroy confirmation, an accepted loss): never journaled and never read
   * back from a journal, so each run that would destroy must be given it again.
   */
  readonly perRun?: boolean;
}

export const inputSpecs = {
  dtrUrl: {
    flag: '--dtr-url',
    group: 'dtr',
    valueName: '<url>',
    env: 'DTR_URL',
    schema: httpUrl,
    description: 'DTR base URL',
    prompt: 'DTR URL',
  },
  username: {
    flag: '--username',
    group: 'dtr',
    valueName: '<name>',
    env: 'DTR_USERNAME',
    schema: z.string().min(1),
    description: 'DTR admin user name',
    prompt: 'DTR admin user name',
  },
  dtrToken: {
    flag: '--password-stdin',
    group: 'dtr',
    env: 'DTR_TOKEN',
    schema: z.string().min(1),
    secret: true,
    description: 'DTR access token or password (DTR_TOKEN, or read from stdin with --password-stdin)',
    prompt: 'DTR access token or password',
  },
  caCert: {
    flag: '--ca-cert',
    group: 'dtr',
    valueName: '<file>',
    env: 'DTR_CA_CERT',
    schema: path,
    optional: true,
    description: 'PEM file of the CA that signed the DTR certificate',
  },
  insecureTls: {
    flag: '--insecure-tls',
    group: 'dtr',
    schema: flagBoolean,
    default: false,
    description: 'skip TLS verification of the DTR API (not recommended)',
  },
  apiTimeout: {
    flag: '--api-timeout',
    group: 'patience',
    valueName: '<seconds>',
    env: 'DTR_API_TIMEOUT',
    schema: timeoutSeconds,
    default: 15,
    description:
      'seconds to wait for one DTR API answer; a read that fails is tried again within 30 s of its first try',
  },
  ucpUrl: {
    flag: '--ucp-url',
    group: 'bootstrapper',
    valueName: '<url>',
    env: 'UCP_URL',
    schema: httpUrl,
    description: 'UCP URL, for the bootstrapper',
    prompt: 'UCP URL',
  },
  ucpUsername: {
    flag: '--ucp-username',
    group: 'bootstrapper',
    valueName: '<name>',
    env: 'UCP_USERNAME',
    schema: z.string().min(1),
    description: 'UCP admin user name',
    prompt: 'UCP admin user name',
  },
  ucpPassword: {
    flag: 'UCP_PASSWORD',
    group: 'bootstrapper',
    env: 'UCP_PASSWORD',
    schema: z.string().min(1),
    secret: true,
    description: 'UCP admin password (environment variable UCP_PASSWORD)',
    prompt: 'UCP admin password',
  },
  ucpCa: {
    flag: '--ucp-ca',
    group: 'bootstrapper',
    valueName: '<file>',
    env: 'UCP_CA_FILE',
    schema: path,
    optional: true,
    description: 'PEM file of the UCP CA, handed to the bootstrapper',
  },
  ucpInsecureTls: {
    flag: '--ucp-insecure-tls',
    group: 'bootstrapper',
    schema: flagBoolean,
    default: false,
    description: 'let the bootstrapper skip UCP TLS verification',
  },
  ucpNode: {
    flag: '--ucp-node',
    group: 'bootstrapper',
    valueName: '<node>',
    env: 'UCP_NODE',
    schema: z.string().min(1),
    optional: true,
    description: 'UCP node to restore DTR on',
  },
  dtrVersion: {
    flag: '--dtr-version',
    group: 'bootstrapper',
    valueName: '<x.y.z>',
    env: 'DTR_VERSION',
    schema: version,
    description: 'running DTR version (the bootstrapper image tag must match it)',
    prompt: 'DTR version (e.g. 2.6.4)',
  },
  bootstrapperImage: {
    flag: '--bootstrapper-image',
    group: 'bootstrapper',
    valueName: '<repository>',
    env: 'DTR_BOOTSTRAPPER_IMAGE',
    schema: imageRepository,
    optional: true,
    description:
      "the bootstrapper's image repository, without a tag (default: that of the running DTR containers, else docker/dtr, or mirantis/dtr for MSR)",
  },
  replicaId: {
    flag: '--replica-id',
    group: 'bootstrapper',
    valueName: '<id>',
    env: 'DTR_REPLICA_ID',
    schema: replicaIdSchema,
    description: 'DTR replica id (12 hex characters)',
    prompt: 'DTR replica id',
  },
  dockerBin: {
    flag: '--docker-bin',
    group: 'bootstrapper',
    valueName: '<path>',
    env: 'DTR_MIGRATE_DOCKER',
    schema: z.string().min(1),
    default: 'docker',
    description: 'docker client to run the bootstrapper with',
  },
  sourceStorage: {
    flag: '--source-storage',
    group: 'storage',
    valueName: '<path>',
    schema: path,
    description: 'where the current storage is mounted on this machine',
    prompt: 'Path of the current storage (mounted here)',
  },
  targetStorage: {
    flag: '--target-storage',
    group: 'storage',
    valueName: '<path>',
    schema: path,
    description: 'where the new storage is mounted on this machine',
    prompt: 'Path of the new storage (mounted here)',
  },
  targetVolume: {
    flag: '--target-volume',
    group: 'storage',
    valueName: '<volume>',
    schema: z.string().min(1),
    optional: true,
    description: 'how DTR names the new storage: a docker volume or host path (default: --target-storage)',
  },
  targetNfsUrl: {
    flag: '--target-nfs-url',
    group: 'storage',
    valueName: '<nfs-url>',
    schema: nfsUrl,
    optional: true,
    description: 'the new storage as an NFS URL for DTR, nfs://host/path (instead of --target-volume)',
  },
  copyConcurrency: {
    flag: '--copy-concurrency',
    group: 'storage',
    valueName: '<n>',
    schema: positiveInt,
    default: 8,
    description: 'parallel file copies',
  },
  jobTimeout: {
    flag: '--job-timeout',
    group: 'patience',
    valueName: '<seconds>',
    schema: positiveInt,
    default: 6 * 3600,
    description: 'seconds to wait for a DTR job to finish',
  },
  procedure: {
    flag: '--procedure',
    group: 'procedure',
    valueName: '<procedure>',
    schema: z.enum(procedureIds),
    optional: true,
    description: 'how to switch storage (default: chosen with you, best-practice in scripts)',
  },
  acceptTagLoss: {
    flag: '--accept-tag-loss',
    group: 'consent',
    schema: flagBoolean,
    default: false,
    perRun: true,
    description: 'accept that a plain reconfigure erases every tag (--procedure reconfigure)',
  },
  acceptMissingTags: {
    flag: '--accept-missing-tags',
    group: 'consent',
    valueName: '<n>',
    schema: count,
    optional: true,
    perRun: true,
    description:
      'go on although exactly n tags of the inventory are already incomplete in the old storage (the gate names them)',
  },
  acceptForeignFiles: {
    flag: '--accept-foreign-files',
    group: 'consent',
    valueName: '<n>',
    schema: count,
    optional: true,
    perRun: true,
    description:
      "go on although the new storage holds exactly n files the old one lacks (DTR's blob GC deletes blobs among them)",
  },
  gcScheduleAfter: {
    flag: '--gc-schedule-after',
    group: 'procedure',
    valueName: "<'cron'|none>",
    schema: gcSchedule,
    optional: true,
    prompt: "GC is already Never. What schedule should be put back at the end? (a cron such as '0 0 1 * * 6', or none)",
    description:
      'when GC is already Never as a migration starts: the GC schedule to put back at the end (a six-field cron), or none',
  },
  restoreGc: {
    flag: '--restore-gc',
    group: 'procedure',
    schema: flagBoolean,
    default: true,
    negatable: true,
    confirm: 'Put the GC schedule back as it was before the migration?',
    description: 'put the GC schedule back at the end (--no-restore-gc leaves it at Never)',
  },
  pullCheck: {
    flag: '--pull-check',
    group: 'procedure',
    valueName: '<mode>',
    schema: z.enum(pullCheckModes),
    default: 'head',
    description:
      'after the switch, check every manifest and blob through /v2/: HEAD requests only, or also fetch and hash a sample of the blobs, or all',
  },
  redo: {
    flag: '--redo',
    group: 'consent',
    valueName: '<step>',
    schema: z.enum(['restore', 'reconfigure']),
    optional: true,
    perRun: true,
    description:
      'run again a destroy+restore or reconfigure that an earlier run left failed or undecided (the confirmation is still asked)',
  },
  confirmDestroy: {
    flag: '--confirm-destroy',
    group: 'consent',
    valueName: '<replica-id>',
    schema: z.string().min(1),
    optional: true,
    perRun: true,
    description: 'in scripts: confirm destroy and restore of this replica (with --yes); asked again on every run',
  },
} as const satisfies Record<string, InputSpec>;

export type InputKey = keyof typeof inputSpecs;

type Value<K extends InputKey> = z.output<(typeof inputSpecs)[K]['schema']>;
type IsOptional<K extends InputKey> = (typeof inputSpecs)[K] extends { optional: true } ? true : false;

/** Inputs after resolution; optional ones may be undefined. */
export type ResolvedInputs = { [K in InputKey as IsOptional<K> extends true ? never : K]: Value<K> } & {
  [K in InputKey as IsOptional<K> extends true ? K : never]?: Value<K>;
};

export const inputKeys = Object.keys(inputSpecs) as InputKey[];

export function specOf(key: InputKey): InputSpec {
  return inputSpecs[key];
}

/** How the operator can give this input, for error messages: "--dtr-url (or DTR_URL)". */
export function howToGive(key: InputKey): string {
  const spec = specOf(key);
  if (spec.secret === true)
    return spec.flag.startsWith('--') ? `${spec.env} or ${spec.flag}` : `the environment variable ${spec.env}`;
  return spec.env === undefined ? spec.flag : `${spec.flag} (or ${spec.env})`;
}

/** The commander option name for a key: `--dtr-url` → `dtrUrl`. */
export function optionName(key: InputKey): string {
  return specOf(key)
    .flag.replace(/^--/, '')
    .replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
}

/**
 * Keys that may appear in a config file: every input but secrets and consents. A config file is reused
 * run after run; a consent to destroy must be given on the command line of the run that destroys.
 */
export const configKeys = inputKeys.filter((key) => specOf(key).secret !== true && specOf(key).perRun !== true);

/** Consents: flags of one run (see `perRun`). */
export const perRunKeys = inputKeys.filter((key) => specOf(key).perRun === true);
