/**
 * Where DTR's published API specification (test/contract/spec/) is silent or wrong about what DTR is
 * known to do: every exception the contract tests make, in this one file, each with its source. The
 * tests apply these to the specification before checking any request or answer against it, and make no
 * exception anywhere else. Sources are those of shared/reference/dtr-api.md (section 11 wins over the
 * earlier sections).
 */

/** A JSON schema, as Swagger 2.0 writes them. */
export type Schema = Record<string, unknown>;

export interface SpecException {
  /** What the specification says otherwise. */
  readonly why: string;
  readonly source: string;
}

/** Endpoints DTR serves that the specification does not list. */
export interface ExtraEndpoint extends SpecException {
  readonly method: 'get' | 'post' | 'put' | 'delete';
  readonly path: string;
  /** Answers by status, as a Swagger 2.0 `responses` object. */
  readonly responses: Readonly<Record<string, { readonly description: string; readonly schema?: Schema }>>;
}

export const extraEndpoints: readonly ExtraEndpoint[] = [
  {
    method: 'get',
    path: '/api/v0/docs.json',
    responses: {
      '200': {
        description: 'this Swagger document; info.version names the running version (e.g. 2.7.0-29094adc)',
        schema: {
          type: 'object',
          required: ['swagger', 'info', 'paths'],
          properties: {
            swagger: { type: 'string', enum: ['2.0'] },
            info: {
              type: 'object',
              required: ['title', 'version'],
              properties: { title: { type: 'string' }, version: { type: 'string' } },
            },
            paths: { type: 'object' },
          },
        },
      },
    },
    why: 'the document that serves the specification is not in it',
    source:
      'public clients: the DTR job-log support scripts read the version with `curl https://$DTR_URL/api/v0/docs.json | jq -r .info.version` (dtr-api.md section 11, "version from the API")',
  },
];

/** Request bodies that may leave out fields the specification marks required. */
export interface PartialBody extends SpecException {
  readonly operationId: string;
  /** The fields that stay required; every other one may be left out. */
  readonly required: readonly string[];
}

export const partialBodies: readonly PartialBody[] = [
  {
    operationId: 'UpdateSettings',
    required: [],
    why: 'forms.Settings marks every field required (the generator lists each field without omitempty), yet the update is partial',
    source:
      'DTR documentation, read-only mode: `curl -X POST .../api/v0/meta/settings -d \'{"readOnlyRegistry": true}\'` answers 202 (dtr-api.md section 2)',
  },
  {
    operationId: 'CreateJob',
    required: ['action'],
    why: 'tmpforms.JobSubmission marks every field required; DTR fills in the rest',
    source:
      'DTR documentation, "Switching storage backends": `curl -X POST .../api/v0/jobs -d \'{"action":"onlinegc_blobs"}\'` answers 202 (dtr-api.md section 4)',
  },
];

/** Fields of a definition whose values are not limited to what the specification lists. */
export interface OpenField extends SpecException {
  readonly definition: string;
  readonly property: string;
}

export const openFields: readonly OpenField[] = [
  {
    definition: 'tmpresponses.Job',
    property: 'status',
    why: 'the enum lists waiting, running, done, canceled and errored only',
    source:
      'DTR job-queue documentation: also cancel_request, deleted, worker_dead, worker_shutdown, worker_resurrection, and the older spellings error and cancel; a destroyed replica leaves its jobs worker_dead (dtr-api.md section 11, "job statuses")',
  },
];

/**
 * Every answer with an error status carries this envelope. The specification lists some error statuses
 * by description only, and gives `default` (which would cover the others) the schema of the success.
 */
export const errorAnswers: SpecException & { readonly schema: Schema } = {
  schema: {
    type: 'object',
    required: ['errors'],
    properties: {
      errors: {
        type: 'array',
        minItems: 1,
        items: {
          type: 'object',
          required: ['code', 'message'],
          properties: { code: { type: 'string' }, message: { type: 'string' }, detail: {} },
        },
      },
    },
  },
  why: 'no error schema in the specification; `default` answers repeat the success schema ("Success, ...")',
  source:
    'dtr-api.md section 1 (the docker-registry style envelope); public clients check `.errors[].code == "NO_SUCH_JOB"` on GET /api/v0/jobs/{id}',
};
