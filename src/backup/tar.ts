/**
 * Tar archives, read and written with node-tar, so that what Go's archive/tar writes in a DTR backup is
 * read right: PAX headers (long names, sizes of 8 GiB and more), GNU long names, base-256 sizes.
 *
 * A backup is judged by structure: every header's checksum must be right, every entry's data present,
 * and the archive must end with the two zero blocks tar writes last (node-tar's `eof`). A truncated
 * stream fails one of these, so "exit 0 with a truncated tar" is caught. The file is streamed through
 * the parser, so memory stays flat whatever its size.
 */
import { Header, Parser, Pax, type HeaderData, type ReadEntry } from 'tar';
import { openRegular } from '../util/regular-file.js';

export interface TarEntry {
  /** The full name, as PAX or GNU long-name records give it. */
  readonly name: string;
  readonly size: number;
  /** node-tar's type name: 'File', 'Directory', 'SymbolicLink', ... */
  readonly type: string;
}

export const isFileEntry = (entry: TarEntry): boolean =>
  entry.type === 'File' || entry.type === 'OldFile' || entry.type === 'ContiguousFile';

export type TarInspection =
  | { readonly ok: true; readonly entries: readonly TarEntry[]; readonly bytes: number }
  | { readonly ok: false; readonly reason: string; readonly entries: readonly TarEntry[]; readonly bytes: number };

/** What a parser warning means for the operator. */
function problemOf(message: string, data: { entry?: ReadEntry }): string {
  if (data.entry !== undefined && /Truncated input/.test(message))
    return `entry "${data.entry.path}" is cut off: ${data.entry.size ?? 0} bytes announced, fewer present`;
  if (/checksum/.test(message)) return 'a header is damaged (checksum mismatch)';
  if (/Unrecognized archive format/.test(message)) return 'it is not a tar archive';
  return message;
}

/** Reads a tar file through node-tar's parser and reports what it found. */
export async function inspectTar(path: string): Promise<TarInspection> {
  // Opened as a regular file first: a FIFO or device in its place is refused, never read and hung on.
  const handle = await openRegular(path);
  const { size: bytes } = await handle.stat();
  const entries: TarEntry[] = [];
  const problems: string[] = [];
  let ended = false;
  await new Promise<void>((resolve, reject) => {
    const parser = new Parser({
      onwarn: (_code, message, data) => problems.push(problemOf(String(message), data as { entry?: ReadEntry })),
      onReadEntry: (entry) => {
        entries.push({ name: entry.path, size: entry.size ?? 0, type: entry.type });
        entry.resume();
      },
    });
    parser.on('eof', () => (ended = true));
    parser.on('end', () => resolve());
    // The stream closes the handle when it ends or fails.
    const source = handle.createReadStream({ highWaterMark: 1 << 20 });
    source.on('error', reject);
    source.pipe(parser);
  });
  const fail = (reason: string): TarInspection => ({ ok: false, reason, entries, bytes });
  if (bytes === 0) return fail('the file is empty');
  const problem = problems[0];
  if (problem !== undefined) return fail(problem);
  if (!ended) return fail('the archive ends without its end-of-archive marker (truncated?)');
  if (entries.length === 0) return fail('the archive holds no entries');
  return { ok: true, entries, bytes };
}

export interface TarInput {
  readonly name: string;
  readonly content: Buffer;
  readonly mode?: number;
}

const block = 512;

/**
 * Builds a complete tar in memory (for small archives such as the mock's metadata backup), the way
 * archive/tar writes one: a PAX record before any header whose name or size ustar cannot hold.
 */
export function createTar(files: readonly TarInput[], mtimeSeconds = Math.floor(Date.now() / 1000)): Buffer {
  const parts: Buffer[] = [];
  const mtime = new Date(mtimeSeconds * 1000);
  for (const file of files) {
    const data: HeaderData = {
      path: file.name,
      mode: file.mode ?? 0o644,
      uid: 0,
      gid: 0,
      size: file.content.length,
      mtime,
      type: 'File',
    };
    const header = new Header(data);
    if (header.encode()) parts.push(new Pax(data).encode());
    if (header.block === undefined) throw new Error(`no tar header for ${file.name}`);
    parts.push(header.block, file.content, Buffer.alloc((block - (file.content.length % block)) % block));
  }
  parts.push(Buffer.alloc(block * 2));
  return Buffer.concat(parts);
}

/** Every regular file of a tar held in memory, by name (the mock's restore reads its backup so). */
export async function extractTar(archive: Buffer): Promise<Map<string, Buffer>> {
  const files = new Map<string, Buffer>();
  const problems: string[] = [];
  let ended = false;
  await new Promise<void>((resolve) => {
    const parser = new Parser({
      onwarn: (_code, message, data) => problems.push(problemOf(String(message), data as { entry?: ReadEntry })),
      onReadEntry: (entry) => {
        const chunks: Buffer[] = [];
        entry.on('data', (chunk: Buffer) => chunks.push(chunk));
        entry.on('end', () => {
          if (isFileEntry({ name: entry.path, size: entry.size ?? 0, type: entry.type }))
            files.set(entry.path, Buffer.concat(chunks));
        });
      },
    });
    parser.on('eof', () => (ended = true));
    parser.on('end', () => resolve());
    parser.end(archive);
  });
  if (problems[0] !== undefined) throw new Error(problems[0]);
  if (!ended) throw new Error('the tar archive has no end-of-archive marker');
  return files;
}
