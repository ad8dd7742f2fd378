/**
 * Imports point one way: common <- kernel <- middleware <- libs <- cli (docs/architecture.md).
 * Workspace packages resolve to their real paths, so the rules match on `packages/<name>/`.
 */
const layers = ['common', 'kernel', 'middleware', 'libs', 'cli'];

const layerRules = layers.slice(0, -1).map((layer, index) => ({
  name: `${layer}-imports-only-lower-layers`,
  comment: `${layer} may not import ${layers.slice(index + 1).join(', ')}`,
  severity: 'error',
  from: { path: `^packages/${layer}/` },
  to: { path: `^packages/(${layers.slice(index + 1).join('|')})/` },
}));

module.exports = {
  forbidden: [
    ...layerRules,
    {
      name: 'native-faces-stand-alone',
      comment: 'a native addon package is the lowest layer: it imports no workspace package',
      severity: 'error',
      from: { path: '^native/' },
      to: { path: '^packages/' },
    },
    {
      name: 'no-circular',
      comment: 'circular imports make load order fragile (a class can be used before it is defined)',
      severity: 'error',
      from: {},
      to: { circular: true, viaOnly: { dependencyTypesNot: ['type-only'] } },
    },
    {
      name: 'no-unresolvable',
      comment: 'an import that does not resolve is either a typo or a package the importer may not use',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true },
    },
    {
      name: 'tests-stay-out-of-sources',
      comment: 'production code must not import test files',
      severity: 'error',
      from: { pathNot: '\\.test\\.ts$' },
      to: { path: '\\.test\\.ts$' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)(dist|node_modules|\\.turbo)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.base.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'types', 'node', 'default'],
      extensions: ['.ts', '.js', '.d.ts'],
    },
  },
};
