// The workspace's module boundaries. npm test checks them (tools/workspace/test/boundaries.test.ts);
// tools/workspace/README.md gives each rule's reason. Paths are relative to the repository root.

// A workspace package's folder: apps/<name>, libs/<name>, tools/<name> or infra.
const packageRoot = '(?:apps/[^/]+|libs/[^/]+|tools/[^/]+|infra)';

/** @type {import('dependency-cruiser').IConfiguration} */
export default {
  forbidden: [
    {
      name: 'domain-is-pure',
      comment:
        'A service domain holds its rules only: it reaches AWS, adapters and handlers through ports, ' +
        'never by import, so it runs and is tested without a cloud.',
      severity: 'error',
      from: { path: '^apps/[^/]+/src/domain/' },
      to: {
        path: [
          '(^|/)node_modules/@(aws-sdk|smithy)/',
          '^@(aws-sdk|smithy)/',
          '^apps/[^/]+/src/(adapters|handlers)/',
          '^#adapters/',
        ],
      },
    },
    {
      name: 'services-are-independent',
      comment:
        'Services talk through events and APIs, so each deploys and changes alone: one never imports ' +
        "another's code.",
      severity: 'error',
      from: { path: '^apps/([^/]+)/' },
      to: { path: '^apps/', pathNot: '^apps/$1/' },
    },
    {
      name: 'relative-imports-stay-in-package',
      comment:
        "A relative path out of a package bypasses the other package's exports and its declared " +
        "dependencies. The workspace root's vitest.shared.ts is the one shared setting, extended like " +
        'tsconfig.base.json.',
      severity: 'error',
      from: { path: `^(${packageRoot})/` },
      to: { dependencyTypes: ['local'], pathNot: ['^$1/', '^vitest\\.shared\\.ts$'] },
    },
    {
      name: 'imports-within-exports',
      comment:
        'A workspace package is used through its package.json exports only; an import outside them ' +
        'does not resolve, as in Node.',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true, path: '^@shop/' },
    },
    {
      name: 'engine-knows-no-app',
      comment:
        'The local cloud engine runs any synthesized CDK app: this application (its services, CDK ' +
        'code and end-to-end harness) uses the engine, never the other way round.',
      severity: 'error',
      from: { path: '^tools/local-cloud/' },
      to: { path: ['^apps/', '^infra/', '^tools/e2e/'] },
    },
    {
      name: 'no-runtime-cycles',
      comment:
        'Modules that import each other at run time load in an order that depends on who is imported ' +
        'first, and half-initialized bindings follow: a cycle of type imports only is harmless.',
      severity: 'error',
      from: {},
      to: { circular: true, viaOnly: { dependencyTypesNot: ['type-only'] } },
    },
    {
      name: 'shared-bundles-no-workspace-package',
      comment:
        'libs/shared/src is bundled into every function: it imports npm packages, Node, the contracts ' +
        'and itself only, never test support, tools, services or infra.',
      severity: 'error',
      from: { path: '^libs/shared/src/' },
      to: { path: `^${packageRoot}/`, pathNot: '^libs/(shared|contracts)/' },
    },
    {
      name: 'contracts-stand-alone',
      comment:
        'libs/contracts/src is read by every function, infra and the tools: it imports zod and itself ' +
        'only, so any of them can use it without pulling in anything else.',
      severity: 'error',
      from: { path: '^libs/contracts/src/' },
      to: {
        path: [`^${packageRoot}/`, '(^|/)node_modules/'],
        pathNot: ['^libs/contracts/', '(^|/)node_modules/zod/'],
      },
    },
  ],
  options: {
    // swc reads TypeScript as written, so an `import type` is a dependency too (what tsPreCompilationDeps
    // gives the tsc parser, which dependency-cruiser supports for TypeScript below 7 only).
    parser: 'swc',
    moduleSystems: ['es6', 'cjs'],
    doNotFollow: { path: '(^|/)node_modules/' },
    // Node runs these files as they are (type stripping), so imports resolve as Node 24 resolves ESM:
    // explicit extensions, package exports with Node's conditions, and #imports (read by default).
    // tsconfig paths would not resolve at run time, so the check does not read them.
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['node', 'import', 'module-sync', 'default'],
      mainFields: ['main'],
      extensions: [],
    },
  },
};
