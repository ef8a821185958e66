/**
 * `dtr-migrate mock-dtr`: the mock in the foreground for operators' own CI, as they would use it.
 */
import { describe, expect, it } from 'vitest';
import { firstEvent, runCli } from '../helpers/cli.js';

interface MockInfo {
  url: string;
  version: string;
  replicaId: string;
  admin: { username: string; token: string };
  dockerBin: string;
  dockerEnv: Record<string, string>;
}

describe('dtr-migrate mock-dtr', () => {
  it('serves the API with the given credentials, prints what a script needs, and stops cleanly on SIGTERM', async () => {
    let info: MockInfo | undefined;
    const mockInfo = firstEvent('mock-dtr');
    let answered = 0;
    const run = await runCli(
      ['mock-dtr', '--json', '--dtr-version', '2.7.1', '--admin-user', 'ci', '--admin-token', 'ci-token-1'],
      {
        onOutput: (text, child) => {
          if (info !== undefined) return;
          info = mockInfo(text) as MockInfo | undefined;
          if (info === undefined) return;
          const auth = `Basic ${Buffer.from('ci:ci-token-1').toString('base64')}`;
          void fetch(`${info.url}/api/v0/meta/settings`, { headers: { authorization: auth } })
            .then((response) => {
              answered = response.status;
            })
            .finally(() => child.kill('SIGTERM'));
        },
      },
    );
    expect(run.code).toBe(0);
    expect(answered).toBe(200);
    expect(info?.version).toBe('2.7.1');
    expect(info?.admin).toEqual({ username: 'ci', token: 'ci-token-1' });
    expect(info?.dockerBin).toMatch(/dtr-mock-docker\.js$/);
    expect(info?.dockerEnv['DTR_MOCK_URL']).toBe(info?.url);
  });

  it('prints the URL, the credentials and the docker stand-in for people, and stops on Ctrl-C', async () => {
    const run = await runCli(['mock-dtr'], {
      onOutput: (text, child) => {
        if (text.includes('Press Ctrl-C to stop.')) child.kill('SIGINT');
      },
    });
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/Mock DTR 2\.6\.4 listening on http:\/\/127\.0\.0\.1:\d+/);
    expect(run.stdout).toContain('--docker-bin');
    expect(run.stdout).toContain('export DTR_MOCK_URL=');
    expect(run.stderr).toContain('Mock DTR stopped.');
  });
});
