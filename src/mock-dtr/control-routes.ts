/**
 * The mock's `/_mock/` endpoints, used by the docker stand-in only (protocol in stand-in-protocol.ts).
 * Bootstrapper calls carry the UCP credentials the bootstrapper was given and are refused with 401
 * unless they are the UCP admin's, as UCP would refuse them; daemon calls need none.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { z } from 'zod';
import { isUcpAdmin, parseBasicAuth } from './auth.js';
import { runBackup, runDestroy, runReconfigure, runRestore } from './bootstrapper.js';
import { inspectContainer, inspectVolume, listContainers } from './docker-daemon.js';
import { errorReply, json, parseJsonBody, type Reply } from './http-util.js';
import type { MockState } from './state.js';
import { noSuchObjectCode } from './stand-in-endpoints.js';
import {
  backupRequestSchema,
  destroyRequestSchema,
  reconfigureRequestSchema,
  restoreRequestSchema,
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

function bootstrapper(ctx: ControlContext, command: string): Reply | Promise<Reply> {
  const commands: Record<string, (body: Buffer) => Reply | Promise<Reply>> = {
    backup: (body) => {
      const request = parse(body, backupRequestSchema);
      return request.ok ? runBackup(ctx.state, request.value, ctx.now) : request.reply;
    },
    destroy: (body) => {
      const request = parse(body, destroyRequestSchema);
      return request.ok ? runDestroy(ctx.state, request.value) : request.reply;
    },
    restore: (body) => {
      const request = parse(body, restoreRequestSchema);
      return request.ok ? runRestore(ctx.state, request.value) : request.reply;
    },
    reconfigure: (body) => {
      const request = parse(body, reconfigureRequestSchema);
      return request.ok ? runReconfigure(ctx.state, request.value) : request.reply;
    },
  };
  const run = commands[command];
  if (run === undefined) return errorReply(404, 'NOT_FOUND', `the mock bootstrapper has no command ${command}`);
  if (!isUcpAdmin(ctx.headers, ctx.credentials)) {
    const username = parseBasicAuth(ctx.headers)?.username ?? '';
    return errorReply(
      401,
      'NOT_AUTHENTICATED',
      `unable to log in to UCP as ${JSON.stringify(username)}: invalid username or password`,
    );
  }
  return run(ctx.body);
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
