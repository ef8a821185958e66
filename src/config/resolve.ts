/**
 * One path for every input: flag > environment > config file > journal > detected > prompt
 * (interactive only) > declared default. A value that cannot be found is INPUT_REQUIRED naming the
 * flag; a value that does not validate is a USAGE error naming where it came from.
 */
import { MigrateError } from '../errors.js';
import type { Io } from '../runner/io.js';
import { howToGive, inputKeys, inputSpecs, specOf, type InputKey, type ResolvedInputs } from './inputs.js';

export type InputOrigin = 'flag' | 'environment' | 'config file' | 'journal' | 'detected' | 'prompt' | 'default';

/** Where a value came from, as the operator would look for it: "--dtr-url", "DTR_URL", "jobTimeout in the config file". */
function whereGiven(key: InputKey, origin: InputOrigin): string {
  const spec = specOf(key);
  switch (origin) {
    case 'flag':
      return spec.flag;
    case 'environment':
      return spec.env ?? spec.flag;
    case 'config file':
      return `${key} in the config file`;
    case 'journal':
      return `${spec.flag} (kept in the journal of an earlier run)`;
    case 'detected':
      return `${spec.flag} (as detected)`;
    default:
      return `${spec.flag} (as ${origin === 'prompt' ? 'answered' : 'defaulted'})`;
  }
}

export interface InputSources {
  readonly flags: Partial<Record<InputKey, unknown>>;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly config: Partial<Record<InputKey, unknown>>;
  readonly journal: Partial<Record<InputKey, unknown>>;
}

/** Inputs that identify the migration: changing one mid-way would mix two migrations in one journal. */
const identityKeys: readonly InputKey[] = [
  'dtrUrl',
  'replicaId',
  'sourceStorage',
  'targetStorage',
  'targetVolume',
  'targetNfsUrl',
];

export class InputResolver {
  private readonly values = new Map<InputKey, { value: unknown; origin: InputOrigin }>();
  private readonly detected = new Map<InputKey, unknown>();

  constructor(
    private readonly sources: InputSources,
    private readonly io: Io,
    /** --yes: a yes/no question with a default is not asked; its default is taken, as in a script. */
    private readonly takeDefaults = false,
  ) {}

  /** Records a value found by looking at DTR or the docker host; explicit inputs still win. */
  detect(key: InputKey, value: unknown): void {
    if (value !== undefined) this.detected.set(key, value);
  }

  /** The value if one can be had without asking; validated. */
  peek<K extends InputKey>(key: K): ResolvedInputs[K] | undefined {
    const cached = this.values.get(key);
    if (cached !== undefined) return cached.value as ResolvedInputs[K];
    const found = this.lookup(key);
    if (found === undefined) return undefined;
    const value = this.validate(key, found.raw, found.origin);
    this.checkAgainstJournal(key, value, found.origin);
    this.values.set(key, { value, origin: found.origin });
    return value as ResolvedInputs[K];
  }

  /** The secrets known so far (from the environment, stdin or a prompt), for masking. */
  secrets(): string[] {
    return [...this.values].filter(([key]) => specOf(key).secret === true).map(([, { value }]) => String(value));
  }

  origin(key: InputKey): InputOrigin | undefined {
    return this.values.get(key)?.origin;
  }

  /**
   * Gets a value, asking the operator in interactive mode. Optional inputs may stay undefined, unless
   * `needed` (this run found that it cannot go on without one).
   */
  async require<K extends InputKey>(key: K, needed = false): Promise<ResolvedInputs[K]> {
    const known = this.peek(key);
    if (known !== undefined) return known;
    const spec = specOf(key);
    if (spec.optional === true && !needed) return undefined as ResolvedInputs[K];
    if (spec.confirm !== undefined && this.io.interactive && !this.takeDefaults) {
      const yes = await this.io.ask({
        kind: 'confirm',
        key: `input:${key}`,
        message: spec.confirm,
        default: spec.default === true,
      });
      this.values.set(key, { value: yes, origin: 'prompt' });
      return yes as ResolvedInputs[K];
    }
    if (!this.io.interactive || spec.prompt === undefined) {
      throw new MigrateError('INPUT_REQUIRED', `${spec.description} is needed but was not given`, {
        hint: `Pass ${howToGive(key)}.`,
      });
    }
    const answer = await this.io.ask(
      spec.secret === true
        ? { kind: 'secret', key: `input:${key}`, message: spec.prompt }
        : {
            kind: 'text',
            key: `input:${key}`,
            message: spec.prompt,
            validate: (text) => validationMessage(key, text) ?? true,
          },
    );
    const value = this.validate(key, answer, 'prompt');
    this.values.set(key, { value, origin: 'prompt' });
    return value as ResolvedInputs[K];
  }

  /** Validates every value the operator gave (flag, environment, config file), before DTR is contacted. */
  checkGiven(): void {
    for (const key of inputKeys) {
      const origin = this.lookup(key)?.origin;
      if (origin === 'flag' || origin === 'environment' || origin === 'config file') this.peek(key);
    }
  }

  async requireAll(keys: readonly InputKey[]): Promise<void> {
    for (const key of keys) await this.require(key);
  }

  /** Keys among these that neither a source nor a default can fill (for a script's up-front check). */
  missing(keys: readonly InputKey[]): InputKey[] {
    return keys.filter((key) => specOf(key).optional !== true && this.peek(key) === undefined);
  }

  /** Every resolved value, for the steps. */
  snapshot(): ResolvedInputs {
    return Object.fromEntries([...this.values].map(([key, { value }]) => [key, value])) as ResolvedInputs;
  }

  /** Values to keep in the journal, so a resumed run needs no flags again: not secrets, not consents. */
  journalable(): Partial<Record<InputKey, unknown>> {
    const kept = [...this.values].filter(([key]) => specOf(key).secret !== true && specOf(key).perRun !== true);
    return Object.fromEntries(kept.map(([key, { value }]) => [key, value]));
  }

  private lookup(key: InputKey): { raw: unknown; origin: InputOrigin } | undefined {
    const spec = specOf(key);
    const flag = this.sources.flags[key];
    if (flag !== undefined) return { raw: flag, origin: spec.secret === true ? 'prompt' : 'flag' };
    const env = spec.env === undefined ? undefined : this.sources.env[spec.env];
    if (env !== undefined && env !== '') return { raw: env, origin: 'environment' };
    if (spec.secret === true) return undefined;
    if (this.sources.config[key] !== undefined) return { raw: this.sources.config[key], origin: 'config file' };
    // A consent in an older journal is not consent for this run.
    if (this.sources.journal[key] !== undefined && spec.perRun !== true)
      return { raw: this.sources.journal[key], origin: 'journal' };
    if (this.detected.has(key)) return { raw: this.detected.get(key), origin: 'detected' };
    // A question with a default is asked in the wizard; only scripts take the default silently.
    if (spec.default !== undefined && !(spec.confirm !== undefined && this.io.interactive && !this.takeDefaults))
      return { raw: spec.default, origin: 'default' };
    return undefined;
  }

  private validate(key: InputKey, raw: unknown, origin: InputOrigin): unknown {
    const parsed = specOf(key).schema.safeParse(raw);
    if (parsed.success) return parsed.data;
    const spec = specOf(key);
    const where = whereGiven(key, origin);
    // Never echo a secret's value, nor credentials inside a URL; for other inputs the value helps spot the typo.
    const shown = spec.secret === true ? '' : ` "${String(raw).replace(/^(\w+:\/\/)[^/@]*@/, '$1****@')}"`;
    const choices = choicesOf(parsed.error.issues[0]);
    const problem =
      choices === undefined ? (parsed.error.issues[0]?.message ?? 'is not valid') : `must be one of: ${choices}`;
    throw new MigrateError('USAGE', `${where}${shown} ${problem}`, {
      hint:
        choices === undefined
          ? `Fix ${howToGive(key)}: ${spec.description}.`
          : `Pass ${spec.flag} with one of: ${choices}.`,
    });
  }

  private checkAgainstJournal(key: InputKey, value: unknown, origin: InputOrigin): void {
    if (!identityKeys.includes(key) || origin === 'journal' || origin === 'default' || origin === 'detected') return;
    const recorded = this.sources.journal[key];
    if (recorded === undefined || recorded === value) return;
    throw new MigrateError(
      'JOURNAL_MISMATCH',
      `${inputSpecs[key].flag} is "${String(value)}" but this migration's journal says "${String(recorded)}"`,
      {
        hint: `Drop ${inputSpecs[key].flag} to continue the recorded migration, or use another --state-dir for a different one.`,
      },
    );
  }
}

/** The allowed values, where the input is one of a fixed set (zod's invalid_value issue lists them). */
function choicesOf(issue: { code: string; values?: readonly unknown[] } | undefined): string | undefined {
  return issue?.code === 'invalid_value' && issue.values !== undefined
    ? issue.values.map(String).join(', ')
    : undefined;
}

function validationMessage(key: InputKey, text: string): string | undefined {
  const parsed = specOf(key).schema.safeParse(text);
  return parsed.success ? undefined : (parsed.error.issues[0]?.message ?? 'not valid');
}
