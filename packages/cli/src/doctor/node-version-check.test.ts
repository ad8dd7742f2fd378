import { describe, expect, it } from 'vitest';
import type { DoctorContext } from './doctor-check.js';
import { compareVersions, createNodeVersionCheck } from './node-version-check.js';

const context: DoctorContext = { cwd: '/', env: {} };

describe('node version check', () => {
  it('compares versions numerically', () => {
    expect(compareVersions('20.12.0', '20.12.0')).toBe(0);
    expect(compareVersions('v20.9.0', '20.12.0')).toBeLessThan(0);
    expect(compareVersions('20.100.0', '20.12.0')).toBeGreaterThan(0);
    expect(compareVersions('22.0.0-pre', '20.12.0')).toBeGreaterThan(0);
  });

  it('is ok from 20.12 on', async () => {
    expect(await createNodeVersionCheck('20.12.0').run(context)).toEqual({
      status: 'ok',
      detail: 'v20.12.0 (>= 20.12 required)',
    });
    expect((await createNodeVersionCheck('22.3.1').run(context)).status).toBe('ok');
  });

  it('fails below 20.12, with a fix', async () => {
    const result = await createNodeVersionCheck('20.11.1').run(context);
    expect(result.status).toBe('fail');
    expect(result.detail).toContain('v20.11.1 is too old');
    expect(result.fix).toContain('nvm install');
    expect((await createNodeVersionCheck('18.20.0').run(context)).status).toBe('fail');
  });

  it('warns on Node 21, which the engines range leaves out', async () => {
    expect((await createNodeVersionCheck('21.7.0').run(context)).status).toBe('warn');
  });

  it('checks the running Node by default', async () => {
    expect((await createNodeVersionCheck().run(context)).detail).toContain(process.version);
  });
});
