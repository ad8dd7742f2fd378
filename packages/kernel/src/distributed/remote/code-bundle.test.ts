import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ValidationError } from '@sage/common';
import { afterAll, describe, expect, it } from 'vitest';
import { checkClusterSecret } from './cluster-secret.js';
import { bundleModule, isSignatureValid, signBundle } from './code-bundle.js';

const secret = 'a-cluster-secret-of-some-length';
const directory = mkdtempSync(join(tmpdir(), 'sage-code-bundle-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

describe('code bundles', () => {
  it('inline relative imports and leave package and node: imports to the worker', async () => {
    writeFileSync(join(directory, 'helper.ts'), 'export const shout = (text: string): string => `${text.toUpperCase()}!`;\n');
    writeFileSync(
      join(directory, 'pipeline.ts'),
      "import { join } from 'node:path';\nimport { LocalEnvironment } from '@sage/kernel';\nimport { shout } from './helper.js';\nexport const parts = [join('a', 'b'), shout('hi'), LocalEnvironment.name];\n",
    );
    const code = await bundleModule(join(directory, 'pipeline.ts'));
    expect(code).toContain('toUpperCase()');
    expect(code).toMatch(/from "@sage\/kernel"/);
    expect(code).toMatch(/from "node:path"/);
    expect(code).not.toContain('./helper');
  });

  it('name the module that cannot be bundled', async () => {
    writeFileSync(join(directory, 'broken.ts'), "import { nothing } from './missing.js';\nexport default nothing;\n");
    await expect(bundleModule(join(directory, 'broken.ts'))).rejects.toThrow(/cannot bundle pipeline module ".*broken\.ts": Could not resolve "\.\/missing\.js"/);
  });

  it('are accepted only with the same secret, for the same job, unchanged', () => {
    const code = 'export const a = 1;\n';
    const signature = signBundle(secret, '0mgx1k2p3-x8f2k1', code);
    expect(signature).toMatch(/^[0-9a-f]{64}$/);
    expect(isSignatureValid(secret, '0mgx1k2p3-x8f2k1', { code, signature })).toBe(true);
    expect(isSignatureValid(`${secret}x`, '0mgx1k2p3-x8f2k1', { code, signature })).toBe(false);
    expect(isSignatureValid(secret, '0mgx1k2p3-aaaaaa', { code, signature })).toBe(false);
    expect(isSignatureValid(secret, '0mgx1k2p3-x8f2k1', { code: `${code} `, signature })).toBe(false);
    expect(isSignatureValid(secret, '0mgx1k2p3-x8f2k1', { code, signature: 'zz' })).toBe(false);
  });

  it('need a secret of 16 characters or more, and never repeat it', () => {
    expect(checkClusterSecret(`${secret}\n`, 'a file')).toBe(secret);
    expect(() => checkClusterSecret('short-one', 'SAGE_CLUSTER_SECRET')).toThrow(ValidationError);
    expect(() => checkClusterSecret('short-one', 'SAGE_CLUSTER_SECRET')).toThrow(/^the cluster secret from SAGE_CLUSTER_SECRET must be at least 16 characters/);
    expect(() => checkClusterSecret('short-one', 'x')).not.toThrow(/short-one/);
  });
});
