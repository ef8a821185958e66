/** The CLI's main() in this process, its streams captured: for what needs the command line, not a terminal. */
import { PassThrough } from 'node:stream';
import { main } from '../../src/cli/main.js';

export interface MainRun {
  readonly code: number;
  readonly out: string;
  readonly err: string;
}

export async function mainInProcess(argv: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<MainRun> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const code = await main(argv, {
    stdout: stdout as unknown as NodeJS.WriteStream,
    stderr: stderr as unknown as NodeJS.WriteStream,
    stdin: new PassThrough() as unknown as NodeJS.ReadStream,
    env,
  });
  return { code, out, err };
}
