/**
 * Reads a `--config` file (JSON or YAML). Its keys are the non-secret inputs of inputs.ts; anything
 * else (a typo, a secret) is refused with every problem listed as "key: message".
 */
import { extname } from 'node:path';
import { parseDocument } from 'yaml';
import { z } from 'zod';
import { MigrateError } from '../errors.js';
import { isNotRegularFile, readRegularFile } from '../util/regular-file.js';
import { configKeys, perRunKeys, specOf, type InputKey } from './inputs.js';

const secretKeyHint = /token|password|secret/i;

/** The config file's strict schema, derived from the input table. */
export const configFileSchema = z
  .object(
    Object.fromEntries(configKeys.map((key) => [key, specOf(key).schema.optional()])) as Record<
      InputKey,
      z.ZodOptional<z.ZodType<unknown>>
    >,
  )
  .strict();

/** Edit distance (insertions, deletions, substitutions), case-insensitive. */
function distance(a: string, b: string): number {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  let row = Array.from({ length: y.length + 1 }, (_, j) => j);
  for (let i = 1; i <= x.length; i += 1) {
    const next = [i];
    for (let j = 1; j <= y.length; j += 1) {
      next[j] = Math.min(
        (row[j] ?? 0) + 1,
        (next[j - 1] ?? 0) + 1,
        (row[j - 1] ?? 0) + (x[i - 1] === y[j - 1] ? 0 : 1),
      );
    }
    row = next;
  }
  return row[y.length] ?? 0;
}

/** The config key a typo most likely meant (two edits at most), if any. */
function nearestKey(typed: string): InputKey | undefined {
  const ranked = configKeys.map((key) => ({ key, d: distance(typed, key) })).sort((a, b) => a.d - b.d);
  return ranked[0] !== undefined && ranked[0].d <= 2 ? ranked[0].key : undefined;
}

export type ConfigFile = Partial<Record<InputKey, unknown>>;

/**
 * The file's value, JSON or YAML by its extension. It must mean exactly one thing: a key given twice
 * (which JSON.parse settles silently, keeping the last) and a tag yaml cannot resolve (`!!js/function`:
 * only a warning, printed on stderr) are refused. JSON is read as YAML a second time, for its duplicates.
 */
function parseText(file: string, text: string): unknown {
  const json = extname(file) === '.json';
  const invalid = (detail: string): MigrateError =>
    new MigrateError('CONFIG_INVALID', `the config file ${file} is not valid ${json ? 'JSON' : 'YAML'}: ${detail}`, {
      hint: 'Fix the syntax (each key once, no tags), or check it with `dtr-migrate plan --config <file>`.',
    });
  if (json) {
    try {
      JSON.parse(text);
    } catch (error) {
      throw invalid(error instanceof Error ? error.message : 'syntax error');
    }
  }
  const doc = parseDocument(text, { uniqueKeys: true });
  const [problem] = [...doc.errors, ...doc.warnings];
  if (problem === undefined) return doc.toJS() as unknown;
  const where = problem.message.split('\n')[0] ?? problem.code;
  if (problem.code !== 'DUPLICATE_KEY') throw invalid(where);
  const key = /^["']?([^"':\s]+)/.exec(text.slice(problem.pos[0]))?.[1] ?? '?';
  throw invalid(`the key ${key} is given twice (${where.replace(/^Map keys must be unique /, '')})`);
}

export async function loadConfigFile(file: string): Promise<ConfigFile> {
  let text: string;
  try {
    text = await readRegularFile(file);
  } catch (error) {
    const reason = isNotRegularFile(error)
      ? `is ${error.what}, not a regular file`
      : (error as NodeJS.ErrnoException).code === 'ENOENT'
        ? 'does not exist'
        : 'cannot be read';
    throw new MigrateError('CONFIG_UNREADABLE', `the config file ${file} ${reason}`, {
      hint: 'Check the path given to --config.',
    });
  }
  const raw = parseText(file, text);
  if (raw === null || raw === undefined) return {};
  const parsed = configFileSchema.safeParse(raw);
  if (parsed.success) return parsed.data as ConfigFile;
  const problems = parsed.error.issues.map((issue) => {
    if (issue.code === 'unrecognized_keys') {
      const consents = perRunKeys.filter((key) => issue.keys.includes(key));
      const unknown = issue.keys.filter((key) => !(perRunKeys as string[]).includes(key));
      const secret = unknown.some((k) => secretKeyHint.test(k));
      const named = unknown.map((key) => {
        const near = nearestKey(key);
        return near === undefined ? key : `${key} (did you mean ${near}?)`;
      });
      return [
        ...consents.map(
          (key) =>
            `${key} is a consent for one run, never kept in a file: give ${specOf(key).flag} on the command line of that run`,
        ),
        ...(unknown.length === 0
          ? []
          : [
              `unknown key${unknown.length > 1 ? 's' : ''} ${named.join(', ')}${secret ? ' (secrets belong in DTR_TOKEN / UCP_PASSWORD, never in a file)' : ''}`,
            ]),
      ].join('; ');
    }
    return `${issue.path.join('.') || '(top level)'}: ${issue.message}`;
  });
  // An unknown key wants the list of keys; a bad value wants to know what the key means.
  const badValues = parsed.error.issues
    .filter((issue) => issue.code !== 'unrecognized_keys')
    .map((issue) => issue.path[0]);
  const explained = [...new Set(badValues)].filter(
    (key): key is InputKey => typeof key === 'string' && (configKeys as string[]).includes(key),
  );
  const hint =
    explained.length === badValues.length && explained.length > 0
      ? `Fix ${explained.map((key) => `${key} (${specOf(key).description})`).join('; ')}.`
      : `Valid keys: ${configKeys.join(', ')}.`;
  throw new MigrateError(
    'CONFIG_INVALID',
    `the config file ${file} has ${problems.length === 1 ? 'a problem' : `${problems.length} problems`}: ${problems.join('; ')}`,
    { hint },
  );
}
