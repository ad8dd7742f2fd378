/** A native addon loads: `ok` when loaded, `warn` when not built/installed, `fail` when present but broken. */
import type { DoctorCheck } from './doctor-check.js';
import type { NativeAddon } from './native-addons.js';

export function createNativeAddonCheck(addon: NativeAddon): DoctorCheck {
  return {
    name: addon.name,
    async run() {
      const result = await addon.probe();
      switch (result.state) {
        case 'loaded': {
          const version = result.version ? ` ${result.version}` : '';
          const path = result.path ? ` (${result.path})` : '';
          return { status: 'ok', detail: `loaded${version}${path}` };
        }
        case 'missing':
          return { status: 'warn', detail: result.reason, fix: result.fix };
        case 'broken':
          return { status: 'fail', detail: `failed to load: ${result.reason}`, fix: result.fix };
      }
    },
  };
}
