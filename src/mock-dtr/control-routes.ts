/**
 * The mock's `/_mock/` endpoints, used by the docker stand-in only (protocol in stand-in-protocol.ts).
 * Bootstrapper calls carry the UCP credentials the bootstrapper was given and are refused with 401
 * unless they are the UCP admin's, as UCP would refuse them; daemon calls need none.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { z } from 'zod';
import { isUcpAdmin, parseBasicAuth } from './auth.js';
import { runBackup, runDestroy, runJoin, runReconfigure, runRestore } from './bootstrapper.js';
import { createVolume, inspectContainer, inspectVolume, listContainers } from './docker-daemon.js';
import { errorReply, json, parseJsonBody, type Reply } from './http-util.js';
import type { MockState } from './state.js';
import { noSuchImageCode, noSuchObjectCode } from './stand-in-endpoints.js';
import {
  backupRequestSchema,
  destroyRequestSchema,
  joinRequestSchema,
  reconfigureRequestSchema,
  restoreRequestSchema,
  volumeCreateRequestSchema,
} from './stand-in-protocol.js';
import type { MockCredentials } from './types.js';

export interface ControlContext {
  readonly state: MockState;
  readonly credentials: MockCredentials;
  readonly now: number;
  readonly method: string;
  readonly pathname: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
}

function parse<S extends z.ZodType>(
  body: Buffer,
  schema: S,
): { ok: true; value: z.infer<S> } | { ok: false; reply: Reply } {
  const parsed = parseJsonBody(body);
  if (!parsed.ok) return parsed;
  const result = schema.safeParse(parsed.value);
  return result.success
    ? { ok: true, value: result.data }
    : {
        ok: false,
        reply: errorReply(
          400,
          'INVALID_PARAMETERS',
          `bad stand-in request: ${result.error.issues.map((i) => i.path.join('.')).join(', ')}`,
        ),
      };
}

/**
 * The bootstrapper image must be on the docker host: the mock's host holds the images of its DTR's
 * repository only (docker/ for DTR 2.x, mirantis/ for MSR, or a mirror), and pulls nothing else, as an
 * air-gapped host or Docker Hub (which has no docker/dtr for MSR) would refuse. [mock choice]
 */
function imageMissing(state: MockState, request: { imageRepository: string; imageVersion: string }): Reply | undefined {
  if (request.imageRepository === `${state.imageRepository}/dtr`) return undefined;
  const repository = request.imageRepository;
  return errorReply(
    404,
    noSuchImageCode,
    `pull access denied for ${repository}, repository does not exist or may require 'docker login': denied: requested access to the resource is denied`,
  );
}

function bootstrapper(ctx: ControlContext, command: string): Reply | Promise<Reply> {
  const run = <S extends z.ZodType<{ imageRepository: string; imageVersion: string }>>(
    schema: S,
    act: (request: z.infer<S>) => Reply | Promise<Reply>,
  ): Reply | Promise<Reply> => {
    const request = parse(ctx.body, schema);
    if (!request.ok) return request.reply;
    const missing = imageMissing(ctx.state, request.value);
    if (missing !== undefined) return missing;
    if (!isUcpAdmin(ctx.headers, ctx.credentials)) {
      const username = parseBasicAuth(ctx.headers)?.username ?? '';
      return errorReply(
        401,
        'NOT_AUTHENTICATED',
        `unable to log in to UCP as ${JSON.stringify(username)}: invalid username or password`,
      );
    }
    return act(request.value);
  };
  switch (command) {
    case 'backup':
      return run(backupRequestSchema, (request) => runBackup(ctx.state, request, ctx.now));
    case 'destroy':
      return run(destroyRequestSchema, (request) => runDestroy(ctx.state, request));
    case 'restore':
      return run(restoreRequestSchema, (request) => runRestore(ctx.state, request, ctx.now));
    case 'reconfigure':
      return run(reconfigureRequestSchema, (request) => runReconfigure(ctx.state, request));
    case 'join':
      return run(joinRequestSchema, (request) => runJoin(ctx.state, request));
    default:
      return errorReply(404, 'NOT_FOUND', `the mock bootstrapper has no command ${command}`);
  }
}

export function handleControl(ctx: ControlContext): Reply | Promise<Reply> {
  const segments = ctx.pathname
    .split('/')
    .slice(2)
    .map((s) => {
      try {
        return decodeURIComponent(s);
      } catch {
        return s;
      }
    });
  const [area, name, ...rest] = segments;
  if (area === 'containers' && name === undefined && ctx.method === 'GET') return json(200, listContainers(ctx.state));
  if (area === 'volumes' && name === undefined && ctx.method === 'POST') {
    const request = parse(ctx.body, volumeCreateRequestSchema);
    return request.ok ? json(200, createVolume(ctx.state, request.value)) : request.reply;
  }
  if (name === undefined || rest.length > 0) return errorReply(404, 'NOT_FOUND', `no mock endpoint ${ctx.pathname}`);
  if (area === 'bootstrapper' && ctx.method === 'POST') return bootstrapper(ctx, name);
  if (area === 'containers' && ctx.method === 'GET') {
    const found = inspectContainer(ctx.state, name);
    return found === undefined ? errorReply(404, noSuchObjectCode, `No such container: ${name}`) : json(200, found);
  }
  if (area === 'volumes' && ctx.method === 'GET') {
    const found = inspectVolume(ctx.state, name);
    return found === undefined ? errorReply(404, noSuchObjectCode, `No such volume: ${name}`) : json(200, found);
  }
  return errorReply(404, 'NOT_FOUND', `no mock endpoint ${ctx.method} ${ctx.pathname}`);
}
