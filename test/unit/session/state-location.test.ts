/**
 * One migration per DTR, wherever it is run from: without --state-dir the state directory is per user and
 * per DTR host, `$XDG_STATE_HOME/dtr-migrate/<host>` (else `~/.local/state/...`), so a run from another
 * folder finds the same journal and lock (issue 12). --state-dir still wins.
 */
import { describe, expect, it } from 'vitest';
import { defaultStateDir, stateDirFor } from '../../../src/session/state-location.js';
import { RecordingIo } from '../../helpers/recording-io.js';

const sources = (flags: Record<string, unknown>, env: Record<string, string> = {}) => ({ flags, env, config: {} });

describe('the default state directory', () => {
  it('is per user and per DTR host, under XDG_STATE_HOME or ~/.local/state', () => {
    expect(defaultStateDir({ XDG_STATE_HOME: '/x/state' }, 'https://dtr.example.com')).toBe(
      '/x/state/dtr-migrate/dtr.example.com',
    );
    expect(defaultStateDir({ HOME: '/home/ops' }, 'https://dtr.example.com:8443/')).toBe(
      '/home/ops/.local/state/dtr-migrate/dtr.example.com_8443',
    );
    // A relative XDG_STATE_HOME is ignored, as the XDG spec says.
    expect(defaultStateDir({ HOME: '/home/ops', XDG_STATE_HOME: 'rel' }, 'http://[::1]:80')).toBe(
      '/home/ops/.local/state/dtr-migrate/___1_',
    );
  });

  it('comes from the DTR URL of a flag, the environment or the config file; --state-dir wins', async () => {
    const io = new RecordingIo();
    const env = { XDG_STATE_HOME: '/x' };
    expect((await stateDirFor(sources({ dtrUrl: 'https://a.example' }, env), io)).stateDir).toBe(
      '/x/dtr-migrate/a.example',
    );
    expect((await stateDirFor(sources({}, { ...env, DTR_URL: 'https://b.example' }), io)).stateDir).toBe(
      '/x/dtr-migrate/b.example',
    );
    expect((await stateDirFor(sources({ dtrUrl: 'https://a.example' }, env), io, '/else')).stateDir).toBe('/else');
  });

  it('asks the wizard for the DTR URL first, and a script for --dtr-url or --state-dir', async () => {
    const asked = new RecordingIo({ 'input:dtrUrl': 'https://c.example' });
    const found = await stateDirFor(sources({}, { XDG_STATE_HOME: '/x' }), asked);
    expect(found.stateDir).toBe('/x/dtr-migrate/c.example');
    expect(found.sources.flags['dtrUrl']).toBe('https://c.example');
    await expect(stateDirFor(sources({}, { XDG_STATE_HOME: '/x' }), new RecordingIo())).rejects.toMatchObject({
      code: 'INPUT_REQUIRED',
      hint: expect.stringMatching(/--dtr-url.*--state-dir/),
    });
    await expect(stateDirFor(sources({ dtrUrl: 'ftp://x' }, {}), new RecordingIo())).rejects.toMatchObject({
      code: 'USAGE',
    });
  });
});
