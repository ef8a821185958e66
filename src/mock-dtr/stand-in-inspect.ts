/**
 * docker's read-only commands as the stand-in answers them from the mock's daemon view
 * (docker-daemon.ts): `container inspect`, `volume inspect` and `ps`, with docker's exit codes and
 * error lines, and `--format` in the Go template subset of go-template.ts.
 */
import { compileFormat } from './go-template.js';
import { callMock, mockEndpoint } from './stand-in-client.js';
import { controlPaths } from './stand-in-endpoints.js';
import { dockerError, unreachable, write, type StandInIo } from './stand-in-io.js';
import type { VolumeCreateRequest } from './stand-in-protocol.js';

export /** `container inspect` and `volume inspect`: an optional `--format` (go-template.ts) and one or more names. */
async function inspect(kind: 'container' | 'volume', args: readonly string[], io: StandInIo): Promise<number> {
  let format: string | undefined;
  const names: string[] = [];
  for (let i = 0; i < args.length; i += 1) {
    const arg = args[i] ?? '';
    if (arg === '--format' || arg === '-f') format = args[(i += 1)];
    else if (arg.startsWith('--format=') || arg.startsWith('-f=')) format = arg.slice(arg.indexOf('=') + 1);
    else if (arg.startsWith('-')) {
      await write(io.stderr, `unknown flag: ${arg}\nSee 'docker ${kind} inspect --help'.\n`);
      return dockerError;
    } else names.push(arg);
  }
  const render = format === undefined ? undefined : compileFormat(format);
  if (names.length === 0 || (format !== undefined && render === undefined)) {
    const why =
      names.length === 0
        ? `"docker ${kind} inspect" requires at least 1 argument.`
        : `the mock understands only --format '{{.Field}}' or '{{json .Field}}'`;
    await write(io.stderr, `docker: ${why}\n`);
    return dockerError;
  }
  const endpoint = mockEndpoint(io.env);
  if (typeof endpoint === 'string') return unreachable(io, '', endpoint);
  let status = 0;
  const found: unknown[] = [];
  for (const name of names) {
    const answer = await callMock(
      endpoint,
      'GET',
      kind === 'container' ? controlPaths.container(name) : controlPaths.volume(name),
    );
    if (answer.kind === 'unreachable') return unreachable(io, '', answer.detail);
    if (answer.kind === 'error') {
      await write(
        io.stderr,
        answer.status === 404 ? `Error: No such ${kind}: ${name}\n` : `Error response from daemon: ${answer.message}\n`,
      );
      status = 1;
    } else if (render === undefined) found.push(answer.body);
    else await write(io.stdout, `${render(answer.body)}\n`);
  }
  // Without --format docker prints one JSON array of every object found, even when some were missing.
  if (render === undefined) await write(io.stdout, `${JSON.stringify(found, null, 4)}\n`);
  return status;
}

/** The row `docker ps` formats, from an inspect object (fields a `--format` may name). */
function psRow(container: Record<string, unknown>): Record<string, string> {
  const config = (container.Config ?? {}) as { Image?: string };
  const mounts = Array.isArray(container.Mounts) ? (container.Mounts as Array<{ Name?: string; Source?: string }>) : [];
  return {
    ID: String(container.Id ?? '').slice(0, 12),
    Image: config.Image ?? '',
    Command: '"/bin/entrypoint"',
    CreatedAt: '2024-01-01 00:00:00 +0000 UTC',
    RunningFor: '2 hours ago',
    Status: 'Up 2 hours',
    State: 'running',
    Ports: '',
    Names: String(container.Name ?? '').replace(/^\//, ''),
    Mounts: mounts.map((m) => m.Name ?? m.Source ?? '').join(','),
    Labels: '',
  };
}

/** `ps [-a] [-q] [--no-trunc] [-f|--filter name=<regexp>]... [--format <template>]`. */
export async function ps(args: readonly string[], io: StandInIo): Promise<number> {
  let format: string | undefined;
  let quiet = false;
  const nameFilters: RegExp[] = [];
  const refuse = async (message: string): Promise<number> => (
    await write(io.stderr, `${message}\nSee 'docker ps --help'.\n`),
    dockerError
  );
  for (let i = 0; i < args.length; i += 1) {
    const arg = args[i] ?? '';
    const value = (flag: string): string | undefined =>
      arg === flag ? args[(i += 1)] : arg.startsWith(`${flag}=`) ? arg.slice(flag.length + 1) : undefined;
    const filter = value('--filter') ?? value('-f');
    const formatted = value('--format');
    if (arg === '--all' || arg === '--no-trunc') continue;
    if (arg === '--quiet' || /^-[aq]+$/.test(arg)) quiet ||= arg !== '-a' && arg !== '--all' && arg.includes('q');
    else if (formatted !== undefined) format = formatted;
    else if (filter !== undefined) {
      const [key, ...rest] = filter.split('=');
      if (key !== 'name' || rest.length === 0)
        return refuse(
          `Error response from daemon: the mock supports only name=<regexp> filters, not ${JSON.stringify(filter)}`,
        );
      const pattern = rest.join('=');
      try {
        nameFilters.push(new RegExp(pattern));
      } catch {
        return refuse(`Error response from daemon: invalid filter name=${pattern}`);
      }
    } else return refuse(`unknown flag: ${arg}`);
  }
  const render = format === undefined ? undefined : compileFormat(format);
  if (format !== undefined && render === undefined)
    return refuse(`docker: the mock understands only --format '{{.Field}}' or '{{json .Field}}'`);
  const endpoint = mockEndpoint(io.env);
  if (typeof endpoint === 'string') return unreachable(io, '', endpoint);
  const answer = await callMock(endpoint, 'GET', controlPaths.containers);
  if (answer.kind === 'unreachable') return unreachable(io, '', answer.detail);
  if (answer.kind === 'error' || !Array.isArray(answer.body)) {
    await write(io.stderr, `Error response from daemon: ${answer.kind === 'error' ? answer.message : 'bad answer'}\n`);
    return 1;
  }
  // Every name filter must match, each as a regexp on the name, as docker's name filter does.
  const rows = (answer.body as Array<Record<string, unknown>>)
    .map(psRow)
    .filter((row) => nameFilters.every((re) => re.test(row.Names ?? '')));
  const lines = quiet
    ? rows.map((row) => row.ID ?? '')
    : render !== undefined
      ? rows.map(render)
      : [
          'CONTAINER ID   IMAGE                                STATUS         NAMES',
          ...rows.map((r) => `${r.ID}   ${(r.Image ?? '').padEnd(36)} ${(r.Status ?? '').padEnd(14)} ${r.Names}`),
        ];
  if (lines.length > 0) await write(io.stdout, `${lines.join('\n')}\n`);
  return 0;
}

/** `volume create [-d|--driver D] [-o|--opt K=V]... <name>`: prints the name, as docker does. */
export async function createVolume(args: readonly string[], io: StandInIo): Promise<number> {
  let driver = 'local';
  const options: Record<string, string> = {};
  const names: string[] = [];
  for (let i = 0; i < args.length; i += 1) {
    const arg = args[i] ?? '';
    const value = (flags: readonly string[]): string | undefined => {
      for (const flag of flags) {
        if (arg === flag) return args[(i += 1)];
        if (arg.startsWith(`${flag}=`)) return arg.slice(flag.length + 1);
      }
      return undefined;
    };
    const givenDriver = value(['--driver', '-d']);
    const option = givenDriver === undefined ? value(['--opt', '-o']) : undefined;
    if (givenDriver !== undefined) driver = givenDriver;
    else if (option !== undefined) {
      const eq = option.indexOf('=');
      if (eq <= 0) {
        await write(io.stderr, `invalid argument "${option}" for "-o, --opt" flag: must be key=value\n`);
        return dockerError;
      }
      options[option.slice(0, eq)] = option.slice(eq + 1);
    } else if (arg.startsWith('-')) {
      await write(io.stderr, `unknown flag: ${arg}\nSee 'docker volume create --help'.\n`);
      return dockerError;
    } else names.push(arg);
  }
  const name = names[0];
  if (name === undefined || names.length > 1) {
    await write(io.stderr, `"docker volume create" requires at most 1 argument.\n`);
    return dockerError;
  }
  const endpoint = mockEndpoint(io.env);
  if (typeof endpoint === 'string') return unreachable(io, '', endpoint);
  const body: VolumeCreateRequest = { name, driver, options };
  const answer = await callMock(endpoint, 'POST', controlPaths.volumes, { body });
  if (answer.kind === 'unreachable') return unreachable(io, '', answer.detail);
  if (answer.kind === 'error') {
    await write(io.stderr, `Error response from daemon: ${answer.message}\n`);
    return 1;
  }
  await write(io.stdout, `${name}\n`);
  return 0;
}
