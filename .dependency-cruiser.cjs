// The workspace's dependency rules, checked in CI by `pnpm deps:check` (dependency-cruiser).
// Services are owned by separate teams: each may use the shared packages, never another service. Tools
// (simulator, local cloud, operator CLI) share code through packages too, never by importing each other.
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-service-to-service',
      comment: 'A service never imports another service: what two services need is a shared package.',
      severity: 'error',
      from: { path: '^services/([^/]+)/' },
      to: { path: '^services/', pathNot: '^services/$1/' },
    },
    {
      name: 'no-package-to-service',
      comment:
        'Packages never import services statically. The benchmark loads the handlers it measures with import(), as Lambda loads a handler.',
      severity: 'error',
      from: { path: '^(packages|bench)/' },
      to: { path: '^services/', dependencyTypesNot: ['dynamic-import'] },
    },
    {
      name: 'no-tool-to-operator-cli',
      comment:
        'Tools never import each other sideways: the simulator and the local cloud do not import the operator CLI. What two tools need is a shared package (registering a charger locally: local-identity).',
      severity: 'error',
      from: { path: '^packages/(simulator|local-cloud)/' },
      to: { path: '^packages/operator-cli/' },
    },
    {
      name: 'no-operator-cli-to-tool',
      comment: 'The other way round: the operator CLI does not import the simulator or the local cloud.',
      severity: 'error',
      from: { path: '^packages/operator-cli/' },
      to: { path: '^packages/(simulator|local-cloud)/' },
    },
    {
      name: 'contract-is-pure',
      comment: 'The contract package imports nothing from the workspace.',
      severity: 'error',
      from: { path: '^packages/domain/' },
      to: { path: '^(packages|services|bench)/', pathNot: '^packages/domain/' },
    },
    {
      name: 'no-test-helpers-at-run-time',
      comment:
        'The test-only package is a devDependency: no source that runs (a handler, a tool) imports it.',
      severity: 'error',
      from: {
        path: '^(packages|services|bench)/[^/]+/src/|^bench/src/',
        pathNot: '^packages/(testing|reliability)/',
      },
      to: { path: '^packages/testing/' },
    },
    {
      name: 'no-tests-at-run-time',
      comment: 'Source that runs never imports a test file or a test helper.',
      severity: 'error',
      from: { path: '/src/', pathNot: '/tests/' },
      to: { path: '/tests/' },
    },
    {
      name: 'no-unresolvable',
      comment:
        'Every import resolves: a workspace package imported without being declared in package.json does not.',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true, pathNot: '^aws-lambda$' }, // types only (@types/aws-lambda)
    },
    {
      name: 'no-circular',
      comment: 'Modules do not import each other in a circle.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)(node_modules|\\.serverless|\\.esbuild|\\.local-cloud)/' },
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      extensions: ['.ts', '.tsx', '.js', '.mjs', '.cjs', '.json'],
    },
  },
};
