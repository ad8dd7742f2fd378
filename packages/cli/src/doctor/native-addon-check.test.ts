import { describe, expect, it } from 'vitest';
import type { DoctorContext } from './doctor-check.js';
import { createNativeAddonCheck } from './native-addon-check.js';
import { NATIVE_ADDONS } from './native-addons.js';

const context: DoctorContext = { cwd: '/', env: {} };

describe('native addon check', () => {
  it('probes the built sage_db and sage_flow addons by loading them (ok)', async () => {
    expect(NATIVE_ADDONS.map((addon) => addon.name)).toEqual(['sage_db', 'sage_flow']);
    const [sageDb, sageFlow] = NATIVE_ADDONS.map(createNativeAddonCheck);
    const built = await sageDb!.run(context);
    expect(built.status).toBe('ok');
    expect(built.detail).toMatch(/^loaded \(.*\.node\)$/);
    const flow = await sageFlow!.run(context);
    expect(flow.status).toBe('ok');
    expect(flow.detail).toMatch(/^loaded \(.*sage_flow_native\.node\)$/);
  });

  it('warns with the fix when the sage_flow addon is not built', async () => {
    const previous = process.env.SAGE_FLOW_NATIVE_PATH;
    process.env.SAGE_FLOW_NATIVE_PATH = '/nonexistent/sage_flow_native.node';
    try {
      const check = createNativeAddonCheck(NATIVE_ADDONS[1]!);
      const result = await check.run(context);
      expect(result.status).toBe('warn');
      expect(result.detail).toContain('the sage_flow native addon is not built');
      expect(result.fix).toBe('sage extensions install sage_flow');
    } finally {
      if (previous === undefined) delete process.env.SAGE_FLOW_NATIVE_PATH;
      else process.env.SAGE_FLOW_NATIVE_PATH = previous;
    }
  });

  it('is ok when a probe loads the addon', async () => {
    const check = createNativeAddonCheck({
      name: 'sage_db',
      probe: async () => ({ state: 'loaded', version: '0.2.0', path: '/x/sage_db.node' }),
    });
    expect(await check.run(context)).toEqual({ status: 'ok', detail: 'loaded 0.2.0 (/x/sage_db.node)' });
  });

  it('fails when the addon is present but does not load', async () => {
    const check = createNativeAddonCheck({
      name: 'sage_flow',
      probe: async () => ({ state: 'broken', reason: 'NODE_MODULE_VERSION mismatch', fix: 'pnpm rebuild' }),
    });
    expect(await check.run(context)).toEqual({
      status: 'fail',
      detail: 'failed to load: NODE_MODULE_VERSION mismatch',
      fix: 'pnpm rebuild',
    });
  });
});
