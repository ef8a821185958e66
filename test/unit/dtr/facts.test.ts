/** The facts section 11 of the reference corrects: an open job status set, the GC actions, the bootstrapper image. */
import { describe, expect, it } from 'vitest';
import {
  bootstrapperRepositoryOf,
  defaultBootstrapperRepository,
  isGcAction,
  jobOutcome,
  leadingVersion,
  nfsUrlWipesTags,
} from '../../../src/dtr/facts.js';

describe('DTR facts', () => {
  it('takes a job status it does not know as unfinished, and worker_* as ended without success', () => {
    expect(jobOutcome('done')).toBe('succeeded');
    for (const status of ['errored', 'error', 'canceled', 'cancel', 'deleted', 'worker_dead', 'worker_shutdown'])
      expect(jobOutcome(status), status).toBe('failed');
    for (const status of ['waiting', 'running', 'cancel_request', 'paused_by_a_future_dtr'])
      expect(jobOutcome(status), status).toBe('unfinished');
  });

  it('counts gc and onlinegc* as GC, but not onlinegc_joblogs', () => {
    expect(['gc', 'onlinegc', 'onlinegc_metadata', 'onlinegc_blobs'].every(isGcAction)).toBe(true);
    expect(['onlinegc_joblogs', 'update_vuln_db', 'tag_pruning'].some(isGcAction)).toBe(false);
  });

  it('names the bootstrapper per product, or after the running containers', () => {
    expect(defaultBootstrapperRepository('2.7.8')).toBe('docker/dtr');
    expect(defaultBootstrapperRepository('2.8.0')).toBe('mirantis/dtr');
    expect(bootstrapperRepositoryOf('registry.local:5000/mirror/dtr-rethink:2.8.4')).toBe(
      'registry.local:5000/mirror/dtr',
    );
    expect(bootstrapperRepositoryOf('dtr-rethink:2.8.4')).toBeUndefined();
  });

  it('reads versions as DTR writes them, and knows which wipe tags on an NFS URL', () => {
    expect(leadingVersion('2.7.0-29094adc')).toBe('2.7.0');
    expect(['2.6.0', '2.6.3'].every(nfsUrlWipesTags)).toBe(true);
    expect(['2.5.14', '2.6.4', '2.7.0'].some(nfsUrlWipesTags)).toBe(false);
  });
});
