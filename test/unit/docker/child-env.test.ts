/**
 * A docker child gets only the environment docker needs (issue 12: it inherited DTR_TOKEN): the
 * variables the command itself names (UCP_PASSWORD for the bootstrapper, which docker copies into the
 * container with -e) and docker's own, never the DTR token or anything else of ours.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { childEnv, runProcess } from '../../../src/docker/run-process.js';

const saved = { ...process.env };
afterEach(() => {
  process.env = { ...saved };
});

describe('the environment of a docker child', () => {
  it('holds what docker needs and what the command names, not DTR_TOKEN', async () => {
    process.env['DTR_TOKEN'] = 'tok-never-in-a-child';
    process.env['SOME_OTHER_SECRET'] = 'other';
    process.env['DOCKER_HOST'] = 'tcp://docker.example:2376';
    const { stdout } = await runProcess('env', [], { env: { UCP_PASSWORD: 'for-the-bootstrapper' } });
    expect(stdout).not.toContain('tok-never-in-a-child');
    expect(stdout).not.toContain('SOME_OTHER_SECRET');
    expect(stdout).toContain('UCP_PASSWORD=for-the-bootstrapper');
    expect(stdout).toContain('DOCKER_HOST=tcp://docker.example:2376');
    expect(stdout).toMatch(/^PATH=/m);
  });

  it('keeps the proxy, locale and home variables docker reads', () => {
    const env = childEnv(
      { HOME: '/root', https_proxy: 'http://p:3128', LC_ALL: 'C', DTR_TOKEN: 'x', DOCKER_CONFIG: '/d' },
      {},
    );
    expect(env).toEqual({ HOME: '/root', https_proxy: 'http://p:3128', LC_ALL: 'C', DOCKER_CONFIG: '/d' });
  });
});
