/**
 * The mock DTR that dtr-migrate ships: `startMockDtr` for tests, `rehearse` and `dtr-migrate mock-dtr`;
 * `createSampleRegistry` for a storage folder whose content matches the mock's tags.
 */
export { startMockDtr } from './server.js';
export { createSampleRegistry, planSampleRegistry, mediaTypes } from './sample-registry.js';
export type { SampleRegistry, SampleRegistryOptions, SampleRepository, SampleTag } from './sample-registry.js';
export { readRegistryRepositories } from './registry-layout.js';
export { standInEnv } from './stand-in-endpoints.js';
export type { MockStorage } from './stand-in-protocol.js';
export type { MockJob, MockRepository, MockState, MockTag } from './state.js';
export type {
  MockAccount,
  MockCredentials,
  MockDtr,
  MockDtrOptions,
  MockFault,
  MockRepositoryInput,
  MockTagInput,
  MockUcpAccount,
  RecordedRequest,
} from './types.js';
