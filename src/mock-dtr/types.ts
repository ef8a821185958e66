/**
 * Public types of the mock DTR: the options `startMockDtr` takes and the handle it returns.
 * Kept apart from server.ts so that tests, `rehearse` and the `mock-dtr` command can import the types
 * without pulling in the server.
 */
import type { MockJob, MockRepositoryInput, MockState } from './state.js';

export type { MockRepositoryInput, MockTagInput } from './state.js';

export interface MockAccount {
  readonly username: string;
  /** Used as the HTTP basic password (DTR accepts an access token there). */
  readonly token: string;
}

export interface MockUcpAccount {
  readonly username: string;
  readonly password: string;
}

export interface MockDtrOptions {
  /** @default 0 (a free port) */
  readonly port?: number;
  /** Serve HTTPS with a fresh self-signed certificate for 127.0.0.1 and localhost. @default false */
  readonly tls?: boolean;
  /** The DTR version the mock runs; the bootstrapper image tag must match it. @default '2.6.4' */
  readonly version?: string;
  /**
   * Where DTR's images come from (the containers' image is `<imageRepository>/dtr-<service>`), and the
   * only repository the docker stand-in runs the bootstrapper from (`<imageRepository>/dtr`): a mirror
   * such as `registry.example.com/mirror` stands for an air-gapped DTR.
   * @default 'docker' for DTR 2.5 to 2.7, 'mirantis' for MSR 2.8 and 2.9
   */
  readonly imageRepository?: string;
  /** 12 hex characters: the first replica's (the one the API answers from). @default random */
  readonly replicaId?: string;
  /**
   * How many replicas the DTR cluster has, each on its own node (`ucp-node-1`, `ucp-node-2`, ...), the
   * others with random ids. @default 1
   */
  readonly replicas?: number;
  /** @default { username: 'admin', token: <random> } */
  readonly admin?: MockAccount;
  /** A non-admin account (403 on admin endpoints). @default { username: 'developer', token: <random> } */
  readonly user?: MockAccount;
  /** UCP admin credentials the bootstrapper checks. @default { username: <admin username>, password: <random> } */
  readonly ucp?: MockUcpAccount;
  /**
   * The folder DTR serves images from (a bind mount of the registry container). Without `repositories`,
   * the tags are read from its docker/distribution layout, or a sample registry is written into it when
   * it holds none. Without `storageDir`, DTR uses its default named volume and sample metadata that
   * exists in memory only.
   */
  readonly storageDir?: string;
  /**
   * NFS exports the mock can read, `host:/path` → a local folder, so that DTR on NFS storage (or on an
   * NFS-backed docker volume) serves the images there. @default none
   */
  readonly nfsExports?: Readonly<Record<string, string>>;
  /** Repository metadata. @default read from `storageDir`, or the default sample registry */
  readonly repositories?: readonly MockRepositoryInput[];
  /** Cron of the `onlinegc` job; `null` is "Never" (no cron). @default '0 0 1 * * 6' */
  readonly gcSchedule?: string | null;
  /** How long a job takes: waiting for the first third, then running, then done. @default 1500 */
  readonly jobDurationMs?: number;
  /** When set, an `onlinegc` job is already running at start and ends after this many ms. */
  readonly runningGcJobMs?: number;
  /** Default page size of the repository, tag and job lists. @default 10 */
  readonly pageSize?: number;
  /** Clock in ms since the epoch (tests may pass a fake one). @default Date.now */
  readonly now?: () => number;
}

/** What a matching request gets instead of its normal answer. */
export interface MockFault {
  /** Only this method (any when absent). */
  readonly method?: string;
  /** Exact pathname, or a pattern tested against the pathname; the query string is ignored. */
  readonly path: string | RegExp;
  /** How many matching requests get the fault. @default 1 */
  readonly times?: number;
  /** Answer status. @default 200 when only `body` is given, else 500 */
  readonly status?: number;
  /** Raw body (for example malformed JSON). @default an error envelope matching the status */
  readonly body?: string;
  /** Wait this long first; alone (no status, body or reset) it only slows the normal answer down. */
  readonly delayMs?: number;
  /** Drop the connection without answering. */
  readonly reset?: boolean;
  /** Answer normally, but drop the connection half-way through the body (after the headers). */
  readonly cut?: boolean;
  /**
   * Called when a request matches, as it arrives (before any delay): lets a test act at that very
   * moment, e.g. kill the client while a slowed-down bootstrapper call or job POST is in flight.
   * Alone (or with only `delayMs`) the request still gets its normal answer.
   */
  readonly onMatch?: (method: string, pathname: string) => void;
}

export interface RecordedRequest {
  readonly method: string;
  /** Pathname, without the query string. */
  readonly path: string;
  /** The query string, with its leading '?', or ''. */
  readonly query: string;
  /** 0 when the connection was reset by a fault. */
  readonly status: number;
  /** Arrival, ms since the epoch (from the mock's clock). */
  readonly at: number;
  /** `/api/` paths only: the request body, parsed as JSON (its text when it is not JSON); absent when empty. */
  readonly body?: unknown;
  /** `/api/` paths only: the answer's body, as sent (parsed when it was sent as text); absent when none. */
  readonly answer?: unknown;
}

export interface MockCredentials {
  readonly admin: MockAccount;
  readonly user: MockAccount;
  readonly ucp: MockUcpAccount;
}

export interface MockDtr extends AsyncDisposable {
  /** Base URL, for example http://127.0.0.1:40123 (no trailing slash). */
  readonly url: string;
  /** Variables the docker stand-in needs: DTR_MOCK_URL, and DTR_MOCK_CA with `tls`. */
  readonly dockerEnv: Readonly<Record<string, string>>;
  /** Absolute path of bin/dtr-mock-docker.js, to pass as `--docker-bin`. */
  readonly dockerBin: string;
  readonly credentials: MockCredentials;
  readonly version: string;
  readonly replicaId: string;
  /** PEM of the self-signed certificate (it is its own CA), with `tls`. */
  readonly caCertPem?: string;
  /** The live state: inspect or change it freely. */
  readonly state: MockState;
  /** Every request, in arrival order (recorded when answered). */
  readonly requests: RecordedRequest[];
  injectFault(fault: MockFault): void;
  clearFaults(): void;
  close(): Promise<void>;
}

/**
 * How the mock bootstrapper misbehaves (set with `setBootstrapperFaults(mock.state, ...)` from faults.ts,
 * or `dtr-migrate mock-dtr --fault backup=truncate`). The docker stand-in reaches the bootstrapper
 * through `/_mock/bootstrapper/...`, so the fault shows as the process a real `docker run` would be.
 */
export interface MockBootstrapperFaults {
  /** `exit`: backup exits 1 and writes nothing; `truncate`: it exits 0, but the tar stops half-way. */
  readonly backup?: 'exit' | 'truncate';
  /**
   * `fail`: destroy exits 1 having removed nothing; `half`: it exits 1 after removing some of DTR's
   * containers, so the replica is down (its API answers 503) and must be destroyed again.
   */
  readonly destroy?: 'fail' | 'half';
  /** `fail`: restore exits 1 and installs nothing (DTR stays destroyed). */
  readonly restore?: 'fail';
  /**
   * `fail`: join exits 1 having added nothing; `half`: it exits 1 after the replica was added (it is
   * listed and healthy: a run that sees the failure must look before it joins again).
   */
  readonly join?: 'fail' | 'half';
  /** How many runs of each faulty command fail. @default every run, until cleared */
  readonly times?: number;
}

/** How jobs started through `POST /api/v0/jobs` end: `errored`, `canceled`, or `never` (running for ever). */
export type MockJobFault = 'errored' | 'canceled' | 'never';

export interface MockJobFaults {
  /** How the job ends. @default as usual (done) */
  readonly outcome?: MockJobFault;
  /** Only jobs of this action. @default every action */
  readonly action?: string;
  /** How many jobs get the fault. @default every job, until cleared */
  readonly times?: number;
  /**
   * Called as the job is created, before DTR answers the POST that started it: lets a test kill the
   * client at the one moment a job exists that the client never heard of.
   */
  readonly onCreate?: (job: MockJob) => void;
}
