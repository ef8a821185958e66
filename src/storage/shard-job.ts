/**
 * The recipes for running `storage copy --shard K/N` on N hosts with the schedulers DTR operators already
 * run: a Docker Swarm replicated job (DTR runs on UCP, which is Swarm) and a Kubernetes Indexed Job. Each
 * task learns its K from the scheduler: Swarm's task slot (1 to N, through the `DTR_MIGRATE_SHARD`
 * variable, since service templates work in `--env` but not in the command), Kubernetes' completion index
 * (0 to N-1, hence the +1). Mounted paths are bind-mounted at the same path on every host; for remotes,
 * rclone's configuration is mounted read-only from where it is on each host.
 */
import type { StorageLocation } from './types.js';

export interface ShardJob {
  readonly shards: number;
  readonly from: StorageLocation;
  readonly to: StorageLocation;
  readonly image: string;
  /** Extra `storage copy` arguments (`--to-driver`, `--io-concurrency`), passed on as given. */
  readonly copyArgs: readonly string[];
}

const rcloneConfig = '/root/.config/rclone';
const jobName = 'dtr-migrate-storage-copy';

/** POSIX shell quoting: safe for any path or remote. */
const quote = (value: string): string => (/^[\w@%+=:,./-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`);

function mounts(job: ShardJob): Array<{ path: string; readOnly: boolean }> {
  const paths = [job.from, job.to].flatMap((location, index) =>
    location.kind === 'path' ? [{ path: location.path, readOnly: index === 0 }] : [],
  );
  const remote = job.from.kind === 'rclone' || job.to.kind === 'rclone';
  return remote ? [...paths, { path: rcloneConfig, readOnly: true }] : paths;
}

function copyCommand(job: ShardJob): string[] {
  const name = (location: StorageLocation): string => (location.kind === 'path' ? location.path : location.remote);
  return ['storage', 'copy', '--from', name(job.from), '--to', name(job.to), ...job.copyArgs, '--json'];
}

export function swarmJob(job: ShardJob): string {
  const lines = [
    `docker service create --name ${jobName} --detach`,
    `--mode replicated-job --replicas ${job.shards} --max-concurrent ${job.shards} --replicas-max-per-node 1`,
    '--restart-condition on-failure --restart-max-attempts 3',
    `--env 'DTR_MIGRATE_SHARD={{.Task.Slot}}/${job.shards}'`,
    ...mounts(job).map(
      ({ path, readOnly }) => `--mount ${quote(`type=bind,src=${path},dst=${path}${readOnly ? ',readonly' : ''}`)}`,
    ),
    [quote(job.image), ...copyCommand(job).map(quote)].join(' '),
  ];
  return `${lines.join(' \\\n  ')}\n`;
}

export function kubernetesJob(job: ShardJob): string {
  const volumes = mounts(job);
  const command = `exec dtr-migrate ${copyCommand(job).map(quote).join(' ')} --shard "$((JOB_COMPLETION_INDEX + 1))/${job.shards}"`;
  const yaml = [
    'apiVersion: batch/v1',
    'kind: Job',
    'metadata:',
    `  name: ${jobName}`,
    'spec:',
    `  completions: ${job.shards}`,
    `  parallelism: ${job.shards}`,
    '  completionMode: Indexed',
    '  backoffLimitPerIndex: 3',
    `  maxFailedIndexes: ${job.shards}`,
    '  template:',
    '    spec:',
    '      restartPolicy: Never',
    '      # One shard per node: each brings its own network bandwidth.',
    '      topologySpreadConstraints:',
    '        - maxSkew: 1',
    '          topologyKey: kubernetes.io/hostname',
    '          whenUnsatisfiable: ScheduleAnyway',
    '          labelSelector:',
    `            matchLabels: { job-name: ${jobName} }`,
    '      containers:',
    '        - name: copy',
    `          image: ${JSON.stringify(job.image)}`,
    '          command: ["sh", "-c"]',
    `          args: [${JSON.stringify(command)}]`,
    ...(volumes.length === 0 ? [] : ['          volumeMounts:']),
    ...volumes.flatMap(({ path, readOnly }, index) => [
      `            - name: storage-${index}`,
      `              mountPath: ${JSON.stringify(path)}`,
      `              readOnly: ${readOnly}`,
    ]),
    ...(volumes.length === 0 ? [] : ['      volumes:']),
    ...volumes.flatMap(({ path }, index) => [
      `        - name: storage-${index}`,
      `          hostPath: { path: ${JSON.stringify(path)}, type: Directory }`,
    ]),
  ];
  return `${yaml.join('\n')}\n`;
}
