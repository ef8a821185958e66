/**
 * Names shared by the docker stand-in and the mock's `/_mock/` endpoints (protocol in
 * stand-in-protocol.ts). Free of imports so the stand-in, spawned for every docker command, loads fast.
 */

/** Environment variables of the stand-in. */
export const standInEnv = {
  /** Base URL of the mock DTR, e.g. http://127.0.0.1:40123. */
  url: 'DTR_MOCK_URL',
  /** PEM of the CA to trust when the mock serves HTTPS. */
  ca: 'DTR_MOCK_CA',
} as const;

export const controlPaths = {
  bootstrapper: (command: string) => `/_mock/bootstrapper/${command}`,
  containers: '/_mock/containers',
  container: (name: string) => `/_mock/containers/${encodeURIComponent(name)}`,
  volumes: '/_mock/volumes',
  volume: (name: string) => `/_mock/volumes/${encodeURIComponent(name)}`,
} as const;

/** Error code the control endpoints use for "no such container/volume" (404). */
export const noSuchObjectCode = 'NO_SUCH_OBJECT';
/** Error code of a bootstrapper image the docker host does not have and cannot pull (404). */
export const noSuchImageCode = 'NO_SUCH_IMAGE';
