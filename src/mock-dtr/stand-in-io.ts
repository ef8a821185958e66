/**
 * The docker stand-in's streams and the messages every one of its commands shares. Writing is the
 * stand-in's job (it is a command-line program); it never writes a secret.
 */
import { standInEnv } from './stand-in-endpoints.js';

export interface StandInIo {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly stdin: AsyncIterable<Buffer | string>;
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
}

/** docker's exit status for its own failures (bad flags, unknown command). */
export const dockerError = 125;
export const write = (stream: NodeJS.WritableStream, data: string | Buffer): Promise<void> =>
  new Promise((done) => void stream.write(data, () => done()));

export function unreachable(io: StandInIo, prefix: string, detail: string): Promise<number> {
  const raw = io.env[standInEnv.url];
  const where = raw === undefined || raw === '' ? `${standInEnv.url} (unset)` : raw;
  return write(
    io.stderr,
    `${prefix}Cannot connect to the Docker daemon at ${where}. Is the docker daemon running? (${detail})\n`,
  ).then(() => 1);
}
