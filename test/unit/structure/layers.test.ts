/**
 * The layering of src/ that the README describes, checked from the code's own imports (type imports
 * and dynamic imports included): a file imports only files of its own part or of parts below it, and
 * no chain of imports comes back to where it started.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const src = resolve(new URL('../../../src', import.meta.url).pathname);

/** Bottom to top. A part may use the parts of lower layers, never one of its own layer or above. */
export const layers: readonly (readonly string[])[] = [
  ['errors'],
  ['util'],
  ['dtr'],
  ['api', 'docker', 'backup', 'runner'],
  ['storage', 'inventory'],
  ['config'],
  ['steps'],
  ['session', 'mock-dtr', 'report'],
  ['cli'],
];

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

/** The part a file belongs to: its top folder under src/, or the file's own name (errors). */
function partOf(file: string): string {
  return relative(src, file).split('/')[0]!.replace(/\.ts$/, '');
}

function layerOf(part: string): number {
  const layer = layers.findIndex((parts) => parts.includes(part));
  if (layer === -1) throw new Error(`src/${part} is in no layer: add it to the table here and in the README`);
  return layer;
}

const importPattern =
  /(?:^|\n)\s*(?:import|export)\s[^'";]*?from\s+['"](\.[^'"]+)['"]|import\(\s*['"](\.[^'"]+)['"]\s*\)/g;

function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(importPattern)].map((m) => resolve(dirname(file), (m[1] ?? m[2])!).replace(/\.js$/, '.ts'));
}

const files = sourceFiles(src);
const graph = new Map(files.map((file) => [file, importsOf(file)]));

describe('the layers of src/', () => {
  it('every import resolves to a source file', () => {
    const broken = [...graph].flatMap(([file, targets]) =>
      targets.filter((t) => !graph.has(t)).map((t) => `${relative(src, file)} -> ${relative(src, t)}`),
    );
    expect(broken).toEqual([]);
  });

  it('no file imports one of its own layer or above (its own part aside)', () => {
    const upward = [...graph].flatMap(([file, targets]) =>
      targets
        .filter((t) => partOf(t) !== partOf(file) && layerOf(partOf(t)) >= layerOf(partOf(file)))
        .map((t) => `${relative(src, file)} -> ${relative(src, t)}`),
    );
    expect(upward).toEqual([]);
  });

  it('has no import circle between files', () => {
    const circles: string[] = [];
    const state = new Map<string, 'open' | 'done'>();
    const path: string[] = [];
    const visit = (file: string): void => {
      state.set(file, 'open');
      path.push(file);
      for (const next of graph.get(file) ?? []) {
        if (state.get(next) === 'open')
          circles.push([...path.slice(path.indexOf(next)), next].map((f) => relative(src, f)).join(' -> '));
        else if (!state.has(next) && graph.has(next)) visit(next);
      }
      path.pop();
      state.set(file, 'done');
    };
    for (const file of files) if (!state.has(file)) visit(file);
    expect(circles).toEqual([]);
  });

  it('knows every part of src/', () => {
    for (const file of files) expect(() => layerOf(partOf(file))).not.toThrow();
  });
});
