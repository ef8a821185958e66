/**
 * A small ustar reader and writer: enough to check that a DTR backup is a whole, readable tar, and for
 * the mock bootstrapper to write one. A backup is judged by structure, not by entry names (which DTR
 * does not document): every header's checksum must be right, every entry's data must be present, and
 * the archive must end with the two zero blocks that tar writes last. A truncated stream fails one of
 * these, so "exit 0 with a truncated tar" is caught.
 */
import { openRegular } from '../util/regular-file.js';

const block = 512;

export interface TarEntry {
  readonly name: string;
  readonly size: number;
  /** '0' regular file, '5' directory, others as tar defines them. */
  readonly type: string;
}

export type TarInspection =
  | { readonly ok: true; readonly entries: readonly TarEntry[]; readonly bytes: number }
  | { readonly ok: false; readonly reason: string; readonly entries: readonly TarEntry[]; readonly bytes: number };

function readOctal(buf: Buffer, start: number, length: number): number {
  const text = buf
    .subarray(start, start + length)
    .toString('latin1')
    .replace(/\0.*$/s, '')
    .trim();
  return text === '' ? 0 : Number.parseInt(text, 8);
}

function headerChecksumMatches(header: Buffer): boolean {
  const recorded = readOctal(header, 148, 8);
  let sum = 0;
  for (let i = 0; i < block; i += 1) sum += i >= 148 && i < 156 ? 0x20 : (header[i] ?? 0);
  return sum === recorded;
}

function cString(buf: Buffer, start: number, length: number): string {
  const raw = buf.subarray(start, start + length);
  const end = raw.indexOf(0);
  return raw.subarray(0, end === -1 ? raw.length : end).toString('utf8');
}

/** Reads a tar file block by block (memory stays flat whatever its size) and reports what it found. */
export async function inspectTar(path: string): Promise<TarInspection> {
  const handle = await openRegular(path);
  try {
    const { size: bytes } = await handle.stat();
    const entries: TarEntry[] = [];
    const header = Buffer.alloc(block);
    let offset = 0;
    const fail = (reason: string): TarInspection => ({ ok: false, reason, entries, bytes });
    for (;;) {
      const { bytesRead } = await handle.read(header, 0, block, offset);
      if (bytesRead === 0)
        return fail(
          entries.length === 0
            ? 'the file is empty'
            : 'the archive ends without its end-of-archive marker (truncated?)',
        );
      if (bytesRead < block) return fail(`the archive is cut off inside a header at byte ${offset}`);
      if (header.every((b) => b === 0)) {
        const next = Buffer.alloc(block);
        const second = await handle.read(next, 0, block, offset + block);
        if (second.bytesRead < block || !next.every((b) => b === 0))
          return fail('the end-of-archive marker is incomplete');
        if (entries.length === 0) return fail('the archive holds no entries');
        return { ok: true, entries, bytes };
      }
      if (!headerChecksumMatches(header)) return fail(`the header at byte ${offset} is damaged (checksum mismatch)`);
      const prefix = cString(header, 345, 155);
      const name = (prefix === '' ? '' : `${prefix}/`) + cString(header, 0, 100);
      const size = readOctal(header, 124, 12);
      const type = String.fromCharCode(header[156] || 0x30);
      const dataBlocks = Math.ceil(size / block);
      if (offset + block + size > bytes)
        return fail(`entry "${name}" is cut off: ${size} bytes announced, fewer present`);
      entries.push({ name, size, type });
      offset += block + dataBlocks * block;
    }
  } finally {
    await handle.close();
  }
}

export interface TarInput {
  readonly name: string;
  readonly content: Buffer;
  readonly mode?: number;
}

function writeOctal(buf: Buffer, value: number, start: number, length: number): void {
  buf.write(value.toString(8).padStart(length - 1, '0') + '\0', start, length, 'latin1');
}

function header(name: string, size: number, mode: number, mtime: number): Buffer {
  if (Buffer.byteLength(name) > 100) throw new Error(`tar entry name too long: ${name}`);
  const h = Buffer.alloc(block);
  h.write(name, 0, 100, 'utf8');
  writeOctal(h, mode, 100, 8);
  writeOctal(h, 0, 108, 8);
  writeOctal(h, 0, 116, 8);
  writeOctal(h, size, 124, 12);
  writeOctal(h, mtime, 136, 12);
  h.fill(0x20, 148, 156);
  h.write('0', 156, 1, 'latin1');
  h.write('ustar\0', 257, 6, 'latin1');
  h.write('00', 263, 2, 'latin1');
  let sum = 0;
  for (const b of h) sum += b;
  h.write(sum.toString(8).padStart(6, '0') + '\0 ', 148, 8, 'latin1');
  return h;
}

/** Builds a complete tar in memory (used for small archives such as the mock's metadata backup). */
export function createTar(files: readonly TarInput[], mtime = Math.floor(Date.now() / 1000)): Buffer {
  const parts: Buffer[] = [];
  for (const file of files) {
    parts.push(header(file.name, file.content.length, file.mode ?? 0o644, mtime), file.content);
    const pad = (block - (file.content.length % block)) % block;
    if (pad > 0) parts.push(Buffer.alloc(pad));
  }
  parts.push(Buffer.alloc(block * 2));
  return Buffer.concat(parts);
}

/** Reads every regular file of a small in-memory tar (the mock's restore uses it). */
export function extractTar(archive: Buffer): Map<string, Buffer> {
  const files = new Map<string, Buffer>();
  let offset = 0;
  while (offset + block <= archive.length) {
    const h = archive.subarray(offset, offset + block);
    if (h.every((b) => b === 0)) return files;
    if (!headerChecksumMatches(h)) throw new Error(`damaged tar header at byte ${offset}`);
    const name = cString(h, 0, 100);
    const size = readOctal(h, 124, 12);
    if (offset + block + size > archive.length) throw new Error(`tar entry "${name}" is truncated`);
    if (String.fromCharCode(h[156] || 0x30) === '0')
      files.set(name, archive.subarray(offset + block, offset + block + size));
    offset += block + Math.ceil(size / block) * block;
  }
  throw new Error('tar archive has no end-of-archive marker');
}
