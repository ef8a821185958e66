/** How the resolved inputs reach DTR's API: the one place that turns them into client options. */
import type { HttpOptions } from '../api/http.js';
import type { InputKey, ResolvedInputs } from './inputs.js';

/** The inputs a connection to DTR needs, resolved (and asked for) before DTR is contacted. */
export const connectionInputs: readonly InputKey[] = [
  'dtrUrl',
  'username',
  'dtrToken',
  'caCert',
  'insecureTls',
  'apiTimeout',
];

export function connectionOf(
  inputs: Pick<ResolvedInputs, 'dtrUrl' | 'username' | 'dtrToken' | 'caCert' | 'insecureTls' | 'apiTimeout'>,
): HttpOptions {
  return {
    baseUrl: inputs.dtrUrl,
    username: inputs.username,
    secret: inputs.dtrToken,
    ...(inputs.caCert === undefined ? {} : { caCertFile: inputs.caCert }),
    insecureTls: inputs.insecureTls,
    timeoutMs: inputs.apiTimeout * 1000,
  };
}
