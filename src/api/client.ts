/**
 * DTR's HTTP API, one method per endpoint. Every answer is checked against the zod schema the mock DTR
 * also uses; a mismatch is an API_CONTRACT error naming the fields, never a crash further on.
 */
import type { z } from 'zod';
import { apiPaths, leadingVersion, nextPageHeader } from '../dtr/facts.js';
import { MigrateError, isMigrateError } from '../errors.js';
import { Http, causeCode, type HttpMethod, type HttpOptions, type HttpResponse } from './http.js';
import {
  apiDocsSchema,
  clusterStatusSchema,
  cronListSchema,
  cronSchema,
  errorEnvelopeSchema,
  jobListSchema,
  jobSchema,
  repositoryPageSchema,
  settingsSchema,
  tagPageSchema,
  type ClusterStatus,
  type Cron,
  type CronCreate,
  type Job,
  type Repository,
  type Settings,
  type Tag,
} from './schemas.js';

export type DtrClientOptions = HttpOptions;

/** DTR gave no usable answer (an error status, no connection, too slow), as it may while it is down. */
export function unanswered(error: unknown): boolean {
  return (
    isMigrateError(error) &&
    (error.code === 'API_ERROR' || error.code === 'API_UNREACHABLE' || error.code === 'API_TIMEOUT')
  );
}

/**
 * Did DTR answer as a DTR that is not there or not up: a refused connection, or a 5xx from what stands in
 * front of it? Other failures (a name that does not resolve, a timeout, a 4xx) say nothing about DTR.
 */
export function answeredDown(error: unknown): boolean {
  if (!isMigrateError(error)) return false;
  if (error.code === 'API_ERROR') return (httpStatusOf(error) ?? 0) >= 500;
  return error.code === 'API_UNREACHABLE' && causeCode(error.cause) === 'ECONNREFUSED';
}

/** The HTTP status of an API_ERROR (DTR answered, but not with success), else undefined. */
export function httpStatusOf(error: unknown): number | undefined {
  if (!isMigrateError(error) || error.code !== 'API_ERROR') return undefined;
  return (error.cause as { status?: number } | undefined)?.status;
}

/** Retry budget per call while DTR may be down on purpose: enough for one blip, not a long wait. */
const downtimeRetryBudgetMs = 2_000;

interface Call<T> {
  readonly method: HttpMethod;
  readonly path: string;
  readonly schema: z.ZodType<T> | null;
  readonly expect: readonly number[];
  readonly body?: unknown;
  /** A POST that creates or replaces by key: retried as a read is (see Http.send). */
  readonly repeatable?: boolean;
}

export class DtrClient {
  private readonly http: Http;

  constructor(private readonly options: DtrClientOptions) {
    this.http = new Http(options);
  }

  get url(): string {
    return this.http.origin;
  }

  close(): Promise<void> {
    return this.http.close();
  }

  /**
   * Tells the client whether DTR may be down on purpose (a destroy ran and the restore has not been
   * verified): then a failing call gives up after a short retry, as its failure is expected.
   */
  expectDowntime(mayBeDown: boolean): void {
    this.http.setRetryBudget(mayBeDown ? downtimeRetryBudgetMs : undefined);
  }

  getSettings(): Promise<Settings> {
    return this.call({ method: 'GET', path: apiPaths.settings, schema: settingsSchema, expect: [200] });
  }

  /**
   * The running version, from DTR's own API specification (`info.version`, e.g. `2.7.0-29094adc`), or
   * undefined when DTR does not serve it or names no `x.y.z`.
   */
  async version(): Promise<string | undefined> {
    const docs = await this.call({ method: 'GET', path: apiPaths.docs, schema: apiDocsSchema, expect: [200] });
    return leadingVersion(docs.info.version);
  }

  /** DTR answers 202 Accepted [doc]; the caller reads the setting back to check it took effect. */
  async setReadOnly(readOnlyRegistry: boolean): Promise<void> {
    await this.call({
      method: 'POST',
      path: apiPaths.settings,
      schema: null,
      expect: [202],
      body: { readOnlyRegistry },
    });
  }

  clusterStatus(): Promise<ClusterStatus> {
    return this.call({ method: 'GET', path: apiPaths.clusterStatus, schema: clusterStatusSchema, expect: [200] });
  }

  async listCrons(): Promise<Cron[]> {
    return (await this.call({ method: 'GET', path: apiPaths.crons, schema: cronListSchema, expect: [200] })).crons;
  }

  /** Removes a schedule; DTR answers 204 whether or not it existed [spec; DTR source], so it can be repeated. */
  async deleteCron(action: string): Promise<void> {
    await this.call({ method: 'DELETE', path: apiPaths.cron(action), schema: null, expect: [204] });
  }

  /**
   * Creates the cron of `cron.action`, or replaces it (DTR gives it a new id each time) [spec: 202 and
   * the cron]. Sending it twice leaves the same single cron, so a lost answer is retried.
   */
  saveCron(cron: CronCreate): Promise<Cron> {
    return this.call({
      method: 'POST',
      path: apiPaths.crons,
      schema: cronSchema,
      expect: [202],
      body: cron,
      repeatable: true,
    });
  }

  /** Starts a job. DTR answers 202 with the job [doc]. Never retried: see Http.send. */
  createJob(action: string): Promise<Job> {
    return this.call({ method: 'POST', path: apiPaths.jobs, schema: jobSchema, expect: [202], body: { action } });
  }

  async listJobs(filter: { action?: string; running?: boolean; limit?: number } = {}): Promise<Job[]> {
    const query = new URLSearchParams();
    if (filter.action !== undefined) query.set('action', filter.action);
    if (filter.running === true) query.set('running', 'true');
    query.set('limit', String(filter.limit ?? 100));
    return (await this.call({ method: 'GET', path: `${apiPaths.jobs}?${query}`, schema: jobListSchema, expect: [200] }))
      .jobs;
  }

  getJob(id: string): Promise<Job> {
    return this.call({ method: 'GET', path: apiPaths.job(id), schema: jobSchema, expect: [200] });
  }

  /** Every repository, page by page (DTR's `X-Next-Page-Start` paging). */
  async *repositories(pageSize = 100): AsyncGenerator<Repository> {
    yield* this.pages(apiPaths.repositories, pageSize, repositoryPageSchema, (page) => page.repositories);
  }

  async *tags(namespace: string, name: string, pageSize = 100): AsyncGenerator<Tag> {
    yield* this.pages(apiPaths.tags(namespace, name), pageSize, tagPageSchema, (page) => page);
  }

  private async *pages<P, T>(
    path: string,
    pageSize: number,
    schema: z.ZodType<P>,
    items: (page: P) => T[],
  ): AsyncGenerator<T> {
    let start = '';
    for (;;) {
      const query = new URLSearchParams({ pageSize: String(pageSize), ...(start === '' ? {} : { pageStart: start }) });
      const response = await this.exchange({ method: 'GET', path: `${path}?${query}`, schema, expect: [200] });
      yield* items(this.parse(schema, response, path));
      const next = response.headers[nextPageHeader];
      const nextStart = Array.isArray(next) ? next[0] : next;
      if (nextStart === undefined || nextStart === '' || nextStart === start) return;
      start = nextStart;
    }
  }

  private async call<T>(call: Call<T>): Promise<T> {
    const response = await this.exchange(call);
    return call.schema === null ? (undefined as T) : this.parse(call.schema, response, call.path);
  }

  private async exchange<T>(call: Call<T>): Promise<HttpResponse> {
    const response = await this.http.send(call.method, call.path, call.body, { repeatable: call.repeatable === true });
    if (call.expect.includes(response.status)) return response;
    throw this.statusError(call, response);
  }

  private parse<T>(schema: z.ZodType<T>, response: HttpResponse, path: string): T {
    let json: unknown;
    try {
      json = JSON.parse(response.text);
    } catch {
      throw new MigrateError('API_CONTRACT', `DTR answered ${path} with a body that is not JSON`, {
        hint: 'Check that --dtr-url points at DTR itself, not at a proxy or login page.',
      });
    }
    const parsed = schema.safeParse(json);
    if (parsed.success) return parsed.data;
    const fields = parsed.error.issues
      .slice(0, 5)
      .map((issue) => `${issue.path.join('.') || '(body)'}: ${issue.message}`);
    throw new MigrateError(
      'API_CONTRACT',
      `DTR's answer to ${path} does not have the expected shape (${fields.join('; ')})`,
      {
        hint: 'This DTR may be a version dtr-migrate does not know; run with --debug and report it.',
      },
    );
  }

  private statusError(call: Call<unknown>, response: HttpResponse): MigrateError {
    const envelope = errorEnvelopeSchema.safeParse(safeJson(response.text));
    const first = envelope.success ? envelope.data.errors[0] : undefined;
    const said = first === undefined ? '' : ` (${first.code}: ${first.message})`;
    const user = this.options.username;
    if (response.status === 401) {
      return new MigrateError('API_AUTH', `DTR rejected the credentials of user "${user}"${said}`, {
        hint: 'Check --username and the token in DTR_TOKEN (or the password given with --password-stdin).',
      });
    }
    if (response.status === 403) {
      return new MigrateError(
        'API_FORBIDDEN',
        `user "${user}" is not allowed to ${call.method} ${call.path}: a DTR admin is needed${said}`,
        {
          hint: "Run as a DTR administrator: --username <admin> with that admin's token in DTR_TOKEN.",
        },
      );
    }
    return new MigrateError(
      'API_ERROR',
      `DTR answered ${call.method} ${call.path} with HTTP ${response.status}${said}`,
      {
        hint:
          response.status >= 500
            ? 'DTR reported an internal error; check its health, then run the same command again.'
            : undefined,
        cause: { status: response.status },
      },
    );
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
