import { describe, expect, it } from 'vitest';
import type { DoctorContext } from './doctor-check.js';
import { createNativeAddonCheck } from './native-addon-check.js';
import { NATIVE_ADDONS } from './native-addons.js';

const context: DoctorContext = { cwd: '/', env: {} };

describe('native addon check', () => {
  it('probes the built sage_db addon (ok) and reports sage_flow as not shipped yet (warn)', async () => {
    expect(NATIVE_ADDONS.map((addon) => addon.name)).toEqual(['sage_db', 'sage_flow']);
    const [sageDb, sageFlow] = NATIVE_ADDONS.map(createNativeAddonCheck);
    const built = await sageDb!.run(context);
    expect(built.status).toBe('ok');
    expect(built.detail).toMatch(/^loaded \(.*\.node\)$/);
    expect(await sageFlow!.run(context)).toEqual({
      status: 'warn',
      detail: 'the windowed stream engine is not part of this release yet',
      fix: undefined,
    });
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
