/**
 * What a migration step is: the runner's Step (src/runner/step.ts) with the migration's inputs and
 * services. Steps import none of inquirer, ora, chalk, execa, undici or node:fs: they reach the world
 * only through this context: `api` (DTR), `docker` (the bootstrapper and the docker host), `storage`
 * (the registry storage), `files` (the state directory: backups and inventories).
 */
import type { DtrClient } from '../api/client.js';
import type { InputKey, ResolvedInputs } from '../config/inputs.js';
import type { Docker } from '../docker/docker.js';
import type { DockerCommand } from '../docker/dtr-commands.js';
import type { PlanContextBase, Step, StepContextBase } from '../runner/step.js';
import type { Topology } from '../dtr/topology.js';
import type { StorageEngine } from '../storage/types.js';
import type { StateFiles } from './state-files.js';

export type { DestructiveConfirmation, PlannedAction, Verification } from '../runner/step.js';

/** Every step any procedure has, in the order they run (their files are numbered so). */
export const stepIds = [
  'disable-gc',
  'read-only',
  'backup',
  'migrate-storage',
  'restore',
  'reconfigure',
  'onlinegc-blobs',
  'read-write',
  'restore-gc',
] as const;
/**
 * The fixed steps; in an HA cluster one destroy and one join per replica other than the restored one;
 * with NFS on both sides, one per replica whose own NFS options are given back.
 */
export type StepId = (typeof stepIds)[number] | `destroy-${string}` | `join-${string}` | `nfs-options-${string}`;

/** What the session read from files named by inputs, once, before any change. */
export interface Certificates {
  /** The PEM of --ucp-ca, handed to the bootstrapper. */
  readonly ucpCa?: string;
}

export interface PlanContext extends PlanContextBase<ResolvedInputs> {
  readonly certificates: Certificates;
  /** The docker command line as it would run, secrets masked. */
  describeDocker(command: DockerCommand): string;
}

export interface MigrationServices {
  readonly api: DtrClient;
  readonly docker: Docker;
  readonly storage: StorageEngine;
  readonly files: StateFiles;
  readonly certificates: Certificates;
  /** The replicas of an HA cluster, as found before any change (absent: one replica). */
  readonly topology?: Topology;
}

export interface StepContext extends StepContextBase<ResolvedInputs>, MigrationServices {
  describeDocker(command: DockerCommand): string;
}

export interface MigrationStep<Output = unknown> extends Step<StepContext, PlanContext, Output> {
  readonly id: StepId;
  readonly inputs: readonly InputKey[];
}
