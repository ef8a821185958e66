/**
 * DTR's published API specification (spec/dtr-<version>.json) as a checker of real traffic: one
 * request as the mock DTR recorded it (method, path, query, body) and the answer it gave (status and
 * body) are checked against the operation the specification declares for them. The specification is
 * parsed and validated by swagger-parser, the schemas are checked by ajv, and the exceptions of
 * spec-exceptions.ts are applied first, so that nothing here decides what DTR does.
 *
 * Stricter than Swagger 2.0 in one way, on purpose: an object the specification describes field by
 * field may hold no other field, in a request (DTR's decoder would drop it silently, so the client
 * would think it set something it did not) or in an answer (the mock would show a field DTR lacks).
 */
import { readFile } from 'node:fs/promises';
import SwaggerParser from '@apidevtools/swagger-parser';
import { Ajv, type ValidateFunction } from 'ajv';
import type { RecordedRequest } from '../../src/mock-dtr/types.js';
import { errorAnswers, extraEndpoints, openFields, partialBodies, type Schema } from './spec-exceptions.js';

export const specVersions = ['2.5', '2.6', '2.7'] as const;
export type SpecVersion = (typeof specVersions)[number];

/** The specification a DTR version follows: MSR 2.8 and 2.9 published none and are checked as 2.7. */
export function specVersionOf(dtrVersion: string): SpecVersion {
  const minor = Number(dtrVersion.split('.')[1]);
  return minor <= 5 ? '2.5' : minor === 6 ? '2.6' : '2.7';
}

interface Parameter {
  readonly name: string;
  readonly in: 'query' | 'path' | 'body' | 'header' | 'formData';
  readonly required?: boolean;
  readonly type?: string;
  readonly enum?: readonly unknown[];
  readonly schema?: Schema;
}

interface Operation {
  readonly operationId?: string;
  readonly parameters?: readonly Parameter[];
  readonly responses: Readonly<Record<string, { readonly schema?: Schema } | undefined>>;
}

interface Route {
  readonly template: string;
  readonly pattern: RegExp;
  readonly operations: Readonly<Record<string, Operation | undefined>>;
  readonly parameters: readonly Parameter[];
}

export interface Found {
  readonly template: string;
  readonly method: string;
  readonly operation: Operation;
  readonly parameters: readonly Parameter[];
}

const rfc3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

/** A copy where every object described field by field admits no other field (see the header). */
function closed(schema: unknown, seen = new Map<object, unknown>()): unknown {
  if (Array.isArray(schema)) return schema.map((item) => closed(item, seen));
  if (typeof schema !== 'object' || schema === null) return schema;
  const known = seen.get(schema);
  if (known !== undefined) return known;
  const copy: Record<string, unknown> = {};
  seen.set(schema, copy);
  for (const [key, value] of Object.entries(schema)) {
    if (key === 'properties') {
      copy[key] = Object.fromEntries(
        Object.entries(value as Record<string, unknown>).map(([name, field]) => [name, closed(field, seen)]),
      );
    } else copy[key] = key === 'enum' || key === 'required' ? value : closed(value, seen);
  }
  if (copy['properties'] !== undefined && copy['additionalProperties'] === undefined)
    copy['additionalProperties'] = false;
  return copy;
}

interface RawSpec {
  paths: Record<string, Record<string, unknown>>;
  definitions: Record<string, { properties?: Record<string, { enum?: unknown[] }> }>;
}

/** The raw specification with every exception of spec-exceptions.ts applied. */
function withExceptions(spec: RawSpec): RawSpec {
  for (const extra of extraEndpoints) {
    const item = (spec.paths[extra.path] ??= {});
    item[extra.method] = {
      operationId: `extra:${extra.method} ${extra.path}`,
      'x-source': extra.source,
      responses: extra.responses,
    };
  }
  for (const open of openFields) {
    const field = spec.definitions[open.definition]?.properties?.[open.property];
    if (field?.enum === undefined) throw new Error(`exception for ${open.definition}.${open.property}: no enum there`);
    delete field.enum;
  }
  return spec;
}

function queryValueProblem(parameter: Parameter, value: string): string | undefined {
  if (parameter.type === 'integer' && !/^-?\d+$/.test(value)) return 'is not an integer';
  if (parameter.type === 'boolean' && value !== 'true' && value !== 'false') return 'is not a boolean';
  if (parameter.enum !== undefined && !parameter.enum.includes(value)) return `is not one of ${parameter.enum}`;
  return undefined;
}

export class ApiSpec {
  private readonly validators = new Map<string, ValidateFunction>();
  private readonly ajv = new Ajv({ allErrors: true, strictTypes: false, strictTuples: false });

  private constructor(
    readonly version: SpecVersion,
    private readonly routes: readonly Route[],
  ) {
    for (const format of ['int32', 'int64', 'integer', 'float', 'double']) this.ajv.addFormat(format, true);
    this.ajv.addFormat('date-time', rfc3339);
  }

  static async load(version: SpecVersion): Promise<ApiSpec> {
    const file = new URL(`./spec/dtr-${version}.json`, import.meta.url);
    const raw = withExceptions(JSON.parse(await readFile(file, 'utf8')) as RawSpec);
    const api = (await SwaggerParser.validate(raw as never)) as unknown as {
      paths: Record<string, Record<string, unknown>>;
    };
    // Literal segments before parameters: /repositories/scan/toggle is not /repositories/{namespace}/{name}.
    const routes = Object.entries(api.paths)
      .map(([template, item]) => ({
        template,
        pattern: new RegExp(`^${template.replace(/\{[^}]+\}/g, '([^/]+)')}$`),
        operations: item as Route['operations'],
        parameters: (item['parameters'] as Parameter[] | undefined) ?? [],
      }))
      .sort((a, b) => a.template.split('{').length - b.template.split('{').length);
    return new ApiSpec(version, routes);
  }

  /** Every operation of the specification (exceptions included), GETs first and DELETEs last. */
  operations(): Found[] {
    const order = ['get', 'post', 'put', 'patch', 'delete'];
    return this.routes
      .flatMap((route) =>
        Object.entries(route.operations).flatMap(([method, operation]) =>
          operation === undefined || !order.includes(method)
            ? []
            : [
                {
                  template: route.template,
                  method,
                  operation,
                  parameters: [...route.parameters, ...(operation.parameters ?? [])],
                },
              ],
        ),
      )
      .sort((a, b) => order.indexOf(a.method) - order.indexOf(b.method));
  }

  /** The operation the specification declares for this method and path, if any. */
  find(method: string, path: string): Found | undefined {
    const lower = method.toLowerCase();
    for (const route of this.routes) {
      const operation = route.operations[lower];
      if (operation === undefined || !route.pattern.test(path)) continue;
      return {
        template: route.template,
        method: lower,
        operation,
        parameters: [...route.parameters, ...(operation.parameters ?? [])],
      };
    }
    return undefined;
  }

  /** What, in this request and its answer, the specification does not allow; empty when all is right. */
  check(exchange: RecordedRequest): string[] {
    const found = this.find(exchange.method, exchange.path);
    if (found === undefined) return [`${exchange.method} ${exchange.path} is not in DTR ${this.version}'s API`];
    return [...this.requestProblems(found, exchange), ...this.answerProblems(found, exchange)];
  }

  private requestProblems(found: Found, exchange: RecordedRequest): string[] {
    const problems: string[] = [];
    const query = new URLSearchParams(exchange.query);
    const declared = found.parameters.filter((p) => p.in === 'query');
    for (const [name, value] of query) {
      const parameter = declared.find((p) => p.name === name);
      const problem = parameter === undefined ? 'is not a parameter' : queryValueProblem(parameter, value);
      if (problem !== undefined) problems.push(`query ${name}=${value} ${problem}`);
    }
    for (const parameter of declared)
      if (parameter.required === true && !query.has(parameter.name)) problems.push(`query ${parameter.name} missing`);
    const body = found.parameters.find((p) => p.in === 'body');
    if (body === undefined) {
      if (exchange.body !== undefined) problems.push('a body was sent where none is declared');
    } else if (exchange.body === undefined) {
      if (body.required === true) problems.push('the body is missing');
    } else {
      problems.push(
        ...this.schemaProblems(
          `${found.template} ${found.method} body`,
          this.bodySchema(found, body),
          exchange.body,
          'body',
        ),
      );
    }
    return problems;
  }

  private bodySchema(found: Found, body: Parameter): Schema {
    const partial = partialBodies.find((p) => p.operationId === found.operation.operationId);
    const schema = body.schema ?? {};
    return partial === undefined ? schema : { ...schema, required: [...partial.required] };
  }

  private answerProblems(found: Found, exchange: RecordedRequest): string[] {
    if (exchange.status === 0) return []; // the connection was dropped on purpose (an injected fault)
    if (exchange.status >= 400)
      return this.schemaProblems('error envelope', errorAnswers.schema, exchange.answer, 'answer');
    const declared = found.operation.responses[String(exchange.status)];
    if (declared === undefined) {
      const statuses = Object.keys(found.operation.responses).filter((s) => s !== 'default');
      return [`answered ${exchange.status}; the specification declares ${statuses.join(', ')}`];
    }
    if (declared.schema === undefined)
      return exchange.answer === undefined ? [] : [`answered ${exchange.status} with a body, where none is declared`];
    const key = `${found.template} ${found.method} ${exchange.status}`;
    return this.schemaProblems(key, declared.schema, exchange.answer, 'answer');
  }

  private schemaProblems(key: string, schema: Schema, value: unknown, name: string): string[] {
    let validate = this.validators.get(key);
    if (validate === undefined) {
      validate = this.ajv.compile(closed(schema) as Schema);
      this.validators.set(key, validate);
    }
    if (value === undefined) return [`the ${name} is missing`];
    if (validate(value)) return [];
    return (validate.errors ?? []).map(
      (e) =>
        `${name}${e.instancePath} ${e.message ?? 'is not valid'}${e.params['additionalProperty'] === undefined ? '' : `: ${String(e.params['additionalProperty'])}`}`,
    );
  }
}
