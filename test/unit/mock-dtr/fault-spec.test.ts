/**
 * The `--fault` specs of `dtr-migrate mock-dtr`, and the state faults they set: bootstrapper faults
 * counted per command, job faults per action.
 */
import { describe, expect, it } from 'vitest';
import {
  addBootstrapperFault,
  clearStateFaults,
  parseFaultSpec,
  setJobFaults,
  takeBootstrapperFault,
  takeJobFault,
} from '../../../src/mock-dtr/faults.js';
import { createJob, jobStatus } from '../../../src/mock-dtr/jobs.js';
import { createState } from '../../../src/mock-dtr/state.js';

const state = () =>
  createState({
    version: '2.6.4',
    replicaId: 'abcdefabcdef',
    dtrHost: 'dtr',
    repositories: [],
    storage: { kind: 'default' },
    gcSchedule: null,
    imageRepository: 'docker',
    nfsExports: {},
    now: 0,
  });

describe('parseFaultSpec', () => {
  it.each([
    ['backup=truncate', { kind: 'bootstrapper', command: 'backup', fault: 'truncate' }],
    ['destroy=half,times=2', { kind: 'bootstrapper', command: 'destroy', fault: 'half', times: 2 }],
    ['restore=fail', { kind: 'bootstrapper', command: 'restore', fault: 'fail' }],
    [
      'backup=slow,ms=900',
      { kind: 'http', fault: { method: 'POST', path: '/_mock/bootstrapper/backup', delayMs: 900 } },
    ],
    ['job=never,action=onlinegc_blobs', { kind: 'job', fault: { outcome: 'never', action: 'onlinegc_blobs' } }],
    [
      'http=503,path=/api/v0/crons,times=3,method=get',
      { kind: 'http', fault: { path: '/api/v0/crons', method: 'GET', times: 3, status: 503 } },
    ],
    ['http=reset,path=/api/v0/jobs', { kind: 'http', fault: { path: '/api/v0/jobs', reset: true } }],
    [
      'http=malformed,path=/api/v0/meta/settings',
      { kind: 'http', fault: { path: '/api/v0/meta/settings', status: 200, body: '{"truncated": ' } },
    ],
  ])('reads %s', (text, expected) => {
    expect(parseFaultSpec(text)).toEqual(expected);
  });

  it('reads a path prefix as a pattern', () => {
    const spec = parseFaultSpec('http=slow,path=/api/v0/repositories*');
    expect(spec).toMatchObject({ kind: 'http', fault: { delayMs: 5000 } });
    const path = typeof spec === 'string' ? undefined : (spec.fault as { path: RegExp }).path;
    expect(path?.test('/api/v0/repositories/engineering/api/tags')).toBe(true);
    expect(path?.test('/api/v0/jobs')).toBe(false);
  });

  it.each([
    'backup=explode',
    'job=done',
    'http=200,path=/x',
    'http=503',
    'disk=full',
    'backup=exit,times=0',
    'backup=exit,colour=red',
    'restore=fail,times',
  ])('refuses %s with a reason', (text) => {
    expect(typeof parseFaultSpec(text)).toBe('string');
  });
});

describe('state faults', () => {
  it('fails a bootstrapper command as many times as asked, then clears', () => {
    const s = state();
    addBootstrapperFault(s, 'backup', 'exit', 2);
    expect(takeBootstrapperFault(s, 'destroy')).toBeUndefined();
    expect([
      takeBootstrapperFault(s, 'backup'),
      takeBootstrapperFault(s, 'backup'),
      takeBootstrapperFault(s, 'backup'),
    ]).toEqual(['exit', 'exit', undefined]);
    addBootstrapperFault(s, 'restore', 'fail');
    clearStateFaults(s);
    expect(takeBootstrapperFault(s, 'restore')).toBeUndefined();
  });

  it('ends jobs of the chosen action errored, canceled or never, and leaves other actions alone', () => {
    const s = state();
    setJobFaults(s, { outcome: 'errored', action: 'onlinegc_blobs', times: 1 });
    expect(jobStatus(createJob(s, 'onlinegc', {}, 0, 300), 1_000)).toBe('done');
    expect(jobStatus(createJob(s, 'onlinegc_blobs', {}, 0, 300), 1_000)).toBe('errored');
    expect(jobStatus(createJob(s, 'onlinegc_blobs', {}, 0, 300), 1_000)).toBe('done');
    setJobFaults(s, { outcome: 'canceled' });
    expect(jobStatus(createJob(s, 'onlinegc_blobs', {}, 0, 300), 1_000)).toBe('canceled');
    setJobFaults(s, { outcome: 'never' });
    expect(jobStatus(createJob(s, 'onlinegc_blobs', {}, 0, 300), 365 * 24 * 3600 * 1000)).toBe('running');
    expect(takeJobFault(s, 'onlinegc_blobs')).toEqual({ outcome: 'never' });
  });
});
