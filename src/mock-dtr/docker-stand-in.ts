/**
 * The docker stand-in: what bin/dtr-mock-docker.js runs in place of the docker CLI (`--docker-bin`). It
 * accepts the command lines dtr-migrate runs (src/docker/dtr-commands.ts) as docker and the docker/dtr
 * bootstrapper would, and acts on the mock DTR found at $DTR_MOCK_URL ($DTR_MOCK_CA for HTTPS):
 * - `run [-i|-t|-it] [--rm] [--log-driver X] [-e NAME[=value]]... <repository>/dtr:<version> <command> [flags]`,
 *   commands backup (tar on stdout), destroy, join, restore (tar on stdin, read only with -i, refused with -t
 *   as the real one refuses it: "unexpected end of file"), reconfigure; an image the mock's docker
 *   host lacks fails as a pull would (control-routes.ts);
 * - `volume create [--driver D] [--opt K=V]... <name>`;
 * - `container inspect` / `volume inspect` `[--format '{{json .Mounts}}']` `<name>...` (a subset of Go templates),
 *   and `ps [-a] [-q] [--filter name=X] [--format '{{.Names}}']` (stand-in-inspect.ts);
 * - `--version`.
 * Exit codes as docker's: 125 for docker's own errors, 1 for a failed bootstrapper or a missing object or
 * an unreachable daemon, 0 otherwise. Writing its output is this module's job; it never writes a secret
 * (the UCP password only travels in the Authorization header to the mock).
 */
import {
  bootstrapperCommands,
  parseBootstrapperArgs,
  usage,
  type BootstrapperCommand,
  type BootstrapperRequest,
} from './bootstrapper-flags.js';
import { callMock, mockEndpoint, type MockAnswer } from './stand-in-client.js';
import { controlPaths, noSuchImageCode } from './stand-in-endpoints.js';
import { createVolume, inspect, ps } from './stand-in-inspect.js';
import { dockerError, unreachable, write, type StandInIo } from './stand-in-io.js';
import type {
  BackupRequest,
  BootstrapperResult,
  JoinRequest,
  ReconfigureRequest,
  RestoreRequest,
} from './stand-in-protocol.js';

export type { StandInIo } from './stand-in-io.js';

interface RunOptions {
  readonly interactive: boolean;
  readonly tty: boolean;
  readonly env: Record<string, string>;
  readonly image: string;
  readonly rest: readonly string[];
}

/** docker run's own options, as far as dtr-migrate uses them; anything else is refused like docker would. */
function parseRunOptions(args: readonly string[], clientEnv: StandInIo['env']): RunOptions | string {
  let interactive = false;
  let tty = false;
  const env: Record<string, string> = {};
  const setEnv = (item: string): void => {
    const eq = item.indexOf('=');
    if (eq !== -1) env[item.slice(0, eq)] = item.slice(eq + 1);
    else if (clientEnv[item] !== undefined) env[item] = clientEnv[item] ?? ''; // `-e NAME` copies NAME if it is set
  };
  for (let i = 0; i < args.length; i += 1) {
    const arg = args[i] ?? '';
    const next = (): string | undefined => ((i += 1), args[i]);
    if (!arg.startsWith('-')) return { interactive, tty, env, image: arg, rest: args.slice(i + 1) };
    if (arg === '--rm') continue;
    if (arg === '--tty' || arg === '--tty=true') tty = true;
    else if (arg === '--interactive' || arg === '--interactive=true') interactive = true;
    else if (arg === '--log-driver' || arg === '--env' || arg === '-e') {
      const value = next();
      if (value === undefined) return `flag needs an argument: ${arg}`;
      if (arg !== '--log-driver') setEnv(value);
    } else if (arg.startsWith('--log-driver=')) continue;
    else if (arg.startsWith('--env=')) setEnv(arg.slice('--env='.length));
    else if (arg.startsWith('-e')) setEnv(arg.slice(arg[2] === '=' ? 3 : 2));
    else if (/^-[it]+$/.test(arg)) {
      interactive ||= arg.includes('i');
      tty ||= arg.includes('t');
    } else if (arg.startsWith('--')) return `unknown flag: ${arg.split('=')[0] ?? arg}`;
    else return `unknown shorthand flag: '${[...arg.slice(1)].find((c) => c !== 'i' && c !== 't') ?? ''}' in ${arg}`;
  }
  return '"docker run" requires at least 1 argument.';
}

/** A bootstrapper image: any repository named `dtr` (docker/dtr, mirantis/dtr, a mirror's), with its tag. */
const imagePattern = /^((?:[^\s:/]+(?::\d+)?\/)*dtr)(?::([^:@/]+))?$/;

function isBootstrapperResult(body: unknown): body is BootstrapperResult {
  const candidate = body as Partial<BootstrapperResult> | undefined;
  return (
    Array.isArray(candidate?.log) &&
    candidate.log.every((line) => typeof line === 'string') &&
    (candidate.archive === undefined || typeof candidate.archive === 'string')
  );
}

/** The body of the control request, typed by the protocol the server validates it with. */
function requestBody(
  request: BootstrapperRequest,
  image: { readonly repository: string; readonly version: string },
  archive: Buffer,
): BackupRequest | RestoreRequest | ReconfigureRequest | JoinRequest | undefined {
  const common: BackupRequest = {
    imageRepository: image.repository,
    imageVersion: image.version,
    ucpUrl: request.ucpUrl,
    replicaId: request.replicaId,
  };
  if (request.command === 'restore') {
    if (request.storage === undefined) return undefined; // parseBootstrapperArgs refuses this already
    return {
      ...common,
      storage: request.storage,
      ...(request.ucpNode === undefined ? {} : { ucpNode: request.ucpNode }),
      ...(request.externalUrl === undefined ? {} : { externalUrl: request.externalUrl }),
      archive: archive.toString('base64'),
    } satisfies RestoreRequest;
  }
  if (request.command === 'join') {
    if (request.join === undefined || request.ucpNode === undefined) return undefined; // refused by the parser
    return { ...common, ...request.join, ucpNode: request.ucpNode } satisfies JoinRequest;
  }
  if (request.command === 'reconfigure') {
    const storage = request.storage === undefined ? {} : { storage: request.storage };
    return {
      ...common,
      ...storage,
      storageMigrated: request.storageMigrated,
      reinitializeStorage: request.reinitializeStorage,
      ...(request.nfsOptions === undefined ? {} : { nfsOptions: request.nfsOptions }),
    } satisfies ReconfigureRequest;
  }
  return common;
}

async function readAll(stream: AsyncIterable<Buffer | string>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks);
}

async function bootstrapperFailed(
  io: StandInIo,
  answer: Exclude<MockAnswer, { kind: 'ok' }>,
  image?: string,
): Promise<number> {
  if (answer.kind === 'unreachable') return unreachable(io, 'docker: ', answer.detail);
  if (answer.code === noSuchImageCode) {
    await write(
      io.stderr,
      `Unable to find image '${image ?? ''}' locally\ndocker: Error response from daemon: ${answer.message}.\nSee 'docker run --help'.\n`,
    );
    return dockerError;
  }
  await write(io.stderr, `FATA[0000] ${answer.message}\n`);
  return 1;
}

async function run(args: readonly string[], io: StandInIo): Promise<number> {
  const options = parseRunOptions(args, io.env);
  if (typeof options === 'string') {
    await write(io.stderr, `docker: ${options}\nSee 'docker run --help'.\n`);
    return dockerError;
  }
  const image = imagePattern.exec(options.image);
  if (image === null) {
    await write(
      io.stderr,
      `docker: Error response from daemon: the mock docker only runs the DTR bootstrapper (<repository>/dtr), not ${options.image}.\n`,
    );
    return dockerError;
  }
  const repository = image[1] ?? '';
  const version = image[2] ?? 'latest';
  const [command, ...flags] = options.rest;
  if (!bootstrapperCommands.includes(command as BootstrapperCommand)) {
    const known = bootstrapperCommands.join(', ');
    await write(
      io.stderr,
      `FATA[0000] ${command === undefined ? 'a command is required' : `unknown command ${JSON.stringify(command)}`} (the mock bootstrapper knows ${known})\n`,
    );
    return 1;
  }
  const cmd = command as BootstrapperCommand;
  const parsed = parseBootstrapperArgs(cmd, flags, options.env, version);
  if (!parsed.ok) {
    await write(
      io.stderr,
      parsed.showUsage
        ? `Incorrect Usage: ${parsed.message}\n\n${usage(cmd, version, repository)}`
        : `FATA[0000] ${parsed.message}\n`,
    );
    return 1;
  }
  const request = parsed.request;
  if (request.help) {
    await write(io.stdout, usage(cmd, version, repository));
    return 0;
  }
  if (cmd === 'restore' && options.tty) {
    // A terminal is no stream: the backup cannot be read from it [docs issues].
    await write(io.stderr, 'FATA[0000] unexpected end of file\n');
    return 1;
  }
  const endpoint = mockEndpoint(io.env);
  if (typeof endpoint === 'string') return unreachable(io, 'docker: ', endpoint);
  // Without -i docker does not connect stdin, so the bootstrapper reads an empty stream.
  const archive = cmd === 'restore' && options.interactive ? await readAll(io.stdin) : Buffer.alloc(0);
  const body = requestBody(request, { repository, version }, archive);
  if (body === undefined)
    return bootstrapperFailed(io, { kind: 'error', status: 0, code: 'USAGE', message: 'restore needs a storage flag' });
  const answer = await callMock(endpoint, 'POST', controlPaths.bootstrapper(cmd), {
    body,
    auth: { username: request.ucpUsername, password: request.ucpPassword },
  });
  if (answer.kind !== 'ok') return bootstrapperFailed(io, answer, options.image);
  if (!isBootstrapperResult(answer.body)) {
    return bootstrapperFailed(io, {
      kind: 'error',
      status: answer.status,
      code: 'BAD_ANSWER',
      message: 'the mock DTR sent an answer of the wrong shape',
    });
  }
  for (const line of answer.body.log) await write(io.stderr, `INFO[0000] ${line}\n`);
  if (answer.body.archive !== undefined) await write(io.stdout, Buffer.from(answer.body.archive, 'base64'));
  return 0;
}

/** Runs one docker command line; resolves to the exit status. */
export async function runDockerStandIn(argv: readonly string[], io: StandInIo): Promise<number> {
  const [first, second, ...rest] = argv;
  if (first === '--version' || first === '-v') {
    await write(io.stdout, 'Docker version 24.0.9-dtr-mock, build dtrmock\n');
    return 0;
  }
  if (first === 'run') return run(argv.slice(1), io);
  if (first === 'container' && second === 'inspect') return inspect('container', rest, io);
  if (first === 'volume' && second === 'inspect') return inspect('volume', rest, io);
  if (first === 'volume' && second === 'create') return createVolume(rest, io);
  if (first === 'ps' || (first === 'container' && (second === 'ls' || second === 'ps' || second === 'list'))) {
    return ps(first === 'ps' ? argv.slice(1) : rest, io);
  }
  const what = first === 'container' || first === 'volume' ? `${first} ${second ?? ''}`.trim() : (first ?? '');
  await write(io.stderr, `docker: '${what}' is not a docker command.\nSee 'docker --help'\n`);
  return dockerError;
}
