/**
 * `selfsigned` (and its crypto stack) is needed only when the mock serves HTTPS: src/mock-dtr/tls.ts is
 * the one file that imports it, and no file imports tls.ts statically, so a plain rehearsal, every
 * migration and `--help` never load it.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const src = resolve(new URL('../../../src', import.meta.url).pathname);

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    return entry.isDirectory() ? sourceFiles(path) : entry.name.endsWith('.ts') ? [path] : [];
  });
}

const texts = sourceFiles(src).map((file) => ({ file: relative(src, file), text: readFileSync(file, 'utf8') }));

describe('selfsigned is loaded only for --tls', () => {
  it('is imported by mock-dtr/tls.ts alone', () => {
    expect(texts.filter(({ text }) => /from\s+['"]selfsigned['"]/.test(text)).map((t) => t.file)).toEqual([
      'mock-dtr/tls.ts',
    ]);
  });

  it('tls.ts is only ever imported dynamically', () => {
    expect(
      texts.filter(({ text }) => /^\s*import\s[^;]*from\s+['"]\.\/tls\.js['"]/m.test(text)).map((t) => t.file),
    ).toEqual([]);
    expect(texts.filter(({ text }) => /import\(\s*['"]\.\/tls\.js['"]\s*\)/.test(text)).map((t) => t.file)).toEqual([
      'mock-dtr/server.ts',
    ]);
  });
});
