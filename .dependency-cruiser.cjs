// Layering of sdk/ (DESIGN.md "Layout"), enforced by dependency-cruiser.
//
//   npm run lint:layers            both passes below
//   test/layering.test.ts          the same, as a vitest test
//
// Pass 1 (default): every import, static, dynamic or type-only, follows the
// layer table. Pass 2 (QDISTILL_LAYERS=static-entry): static runtime imports
// only; the public entry must not reach comlink or onnxruntime-web, which load
// behind a dynamic import() or a separate subpath export.
//
// Layers and what each may import (besides itself). `errors` is sdk/errors.ts.
//
//   errors    nothing in sdk/
//   util      errors
//   kernel    errors, util
//   circuit   errors, util                       (pure description)
//   nn        errors, util, kernel
//   qnn       errors, util, kernel, circuit, nn, workers
//   data      errors, util, kernel, circuit, nn, qnn
//   teachers  errors, util, kernel, circuit, nn, qnn, data
//   workers   errors, util, kernel, circuit, nn, qnn
//   distill   everything but cli (and demos)
//   cli       the public entries (sdk/index.ts and package.json "exports"
//             targets) and node-only modules; nothing else
//   demos/    the public entries only
//
// Nothing imports sdk/cli or demos/. Node builtins (node:*, fs, path, …) only
// in node-only modules: sdk/**/node/**, sdk/**/node.ts, sdk/cli/**,
// sdk/workers/node*; isomorphic code may reach those only by dynamic
// import(). onnxruntime-web only from sdk/teachers/**, comlink only from
// sdk/workers/** (type-only imports of either are fine anywhere).
//
// Paths in the rules are relative to the directory depcruise runs in (the
// repository root; test/fixtures/layering/ for the rule tests).
const { existsSync, readFileSync } = require('node:fs');
const { join } = require('node:path');

const LAYERS = ['util', 'kernel', 'circuit', 'nn', 'qnn', 'data', 'teachers', 'workers', 'distill', 'cli'];
const ERRORS = 'sdk/errors\\.ts$';
const layer = (name) => `sdk/${name}/`;
const anyOf = (patterns) => `^(?:${patterns.join('|')})`;

/** What each layer may import from sdk/, besides itself. */
const MAY_IMPORT = {
  util: [],
  kernel: ['util'],
  circuit: ['util'],
  nn: ['util', 'kernel'],
  qnn: ['util', 'kernel', 'circuit', 'nn', 'workers'],
  data: ['util', 'kernel', 'circuit', 'nn', 'qnn'],
  teachers: ['util', 'kernel', 'circuit', 'nn', 'qnn', 'data'],
  workers: ['util', 'kernel', 'circuit', 'nn', 'qnn'],
  distill: ['util', 'kernel', 'circuit', 'nn', 'qnn', 'data', 'teachers', 'workers'],
};

/** Node-only modules: may use Node builtins. */
const NODE_ONLY = '^sdk/(?:cli/|workers/node|node/|node\\.ts$|.*/node/|.*/node\\.ts$)';

/** Public entries: sdk/index.ts plus the sources of package.json "exports" targets (dist/X.js → sdk/X.ts). */
function publicEntries() {
  const entries = new Set(['sdk/index.ts']);
  const packageJson = join(__dirname, 'package.json');
  if (existsSync(packageJson)) {
    const visit = (value) => {
      if (typeof value === 'string') {
        const match = /^\.\/dist\/(.+)\.(?:js|mjs)$/.exec(value);
        if (match) entries.add(`sdk/${match[1]}.ts`);
      } else if (value && typeof value === 'object') Object.values(value).forEach(visit);
    };
    visit(JSON.parse(readFileSync(packageJson, 'utf8')).exports);
  }
  return [...entries].map((e) => e.replace(/[.]/g, '\\.') + '$');
}
const PUBLIC_ENTRY = anyOf(publicEntries());

const npmPackage = (name) => `(?:^|/)node_modules/${name}/|^${name}(?:$|/)`;

const layerRules = [
  {
    name: 'errors-imports-nothing',
    comment: 'sdk/errors.ts is the base of every layer: it imports nothing from sdk/.',
    severity: 'error',
    from: { path: `^${ERRORS}` },
    to: { path: '^sdk/', pathNot: `^${ERRORS}` },
  },
  ...Object.entries(MAY_IMPORT).map(([name, allowed]) => ({
    name: `${name}-layer`,
    comment: `sdk/${name}/ may import only ${['errors', ...allowed].join(', ')} (DESIGN.md layering).`,
    severity: 'error',
    from: { path: `^${layer(name)}` },
    to: { path: '^sdk/', pathNot: anyOf([ERRORS, layer(name), ...allowed.map(layer)]) },
  })),
  {
    name: 'cli-imports-public-entry-only',
    comment: 'sdk/cli/ imports the public entries (sdk/index.ts, package.json exports) and node-only modules, nothing else of sdk/.',
    severity: 'error',
    from: { path: '^sdk/cli/' },
    to: { path: '^sdk/', pathNot: `${PUBLIC_ENTRY}|${NODE_ONLY}` },
  },
  {
    name: 'nothing-imports-cli',
    comment: 'The CLI is a leaf: only the CLI imports sdk/cli/.',
    severity: 'error',
    from: { pathNot: '^sdk/cli/' },
    to: { path: '^sdk/cli/' },
  },
  {
    name: 'nothing-imports-demos',
    comment: 'Demos are leaves: nothing outside demos/ imports them.',
    severity: 'error',
    from: { pathNot: '^demos/' },
    to: { path: '^demos/' },
  },
  {
    name: 'demos-import-public-entry-only',
    comment: 'Demos use the SDK the way users do: through its public entries.',
    severity: 'error',
    from: { path: '^demos/' },
    to: { path: '^sdk/', pathNot: PUBLIC_ENTRY },
  },
  {
    name: 'node-builtins-only-in-node-modules',
    comment: 'Node builtins (node:*, fs, path, os, child_process, worker_threads, zlib, …) only in sdk/**/node/**, sdk/**/node.ts, sdk/cli/**, sdk/workers/node*: the rest runs in browsers.',
    severity: 'error',
    from: { path: '^sdk/', pathNot: NODE_ONLY },
    to: { dependencyTypes: ['core'] },
  },
  {
    name: 'isomorphic-code-loads-node-modules-dynamically',
    comment: 'Isomorphic code may reach a node-only module only by dynamic import() (behind a runtime check), never statically.',
    severity: 'error',
    from: { path: '^sdk/', pathNot: NODE_ONLY },
    to: { path: NODE_ONLY, dependencyTypesNot: ['dynamic-import', 'type-only', 'type-import'] },
  },
  {
    name: 'onnxruntime-only-in-teachers',
    comment: 'onnxruntime-web is loaded only by sdk/teachers/ (type-only imports are fine anywhere).',
    severity: 'error',
    from: { pathNot: '^sdk/teachers/' },
    to: { path: npmPackage('onnxruntime-(?:web|node|common)'), dependencyTypesNot: ['type-only', 'type-import'] },
  },
  {
    name: 'comlink-only-in-workers',
    comment: 'comlink is loaded only by sdk/workers/ (type-only imports are fine anywhere).',
    severity: 'error',
    from: { pathNot: '^sdk/workers/' },
    to: { path: npmPackage('comlink'), dependencyTypesNot: ['type-only', 'type-import'] },
  },
  {
    name: 'unknown-sdk-folder',
    comment: `Every folder of sdk/ is a layer of DESIGN.md (${LAYERS.join(', ')}); add a new one to .dependency-cruiser.cjs first.`,
    severity: 'error',
    from: { path: '^sdk/[^/]+/', pathNot: anyOf(LAYERS.map(layer)) },
    to: {},
  },
  {
    name: 'no-unresolvable-imports',
    comment: 'An import that does not resolve would hide a layering violation (and fails at run time).',
    severity: 'error',
    from: { path: '^(?:sdk|demos)/' },
    // sdk/kernel/generated/ exists only after `npm run build:wasm`.
    to: { couldNotResolve: true, pathNot: '(?:^|/)generated/' },
  },
  {
    name: 'no-circular',
    comment: 'Circular imports make load order fragile (reported, not failing).',
    severity: 'warn',
    from: { path: '^sdk/' },
    to: { circular: true },
  },
];

const staticEntryRules = [
  {
    name: 'public-entry-never-statically-reaches-heavy-packages',
    comment:
      'comlink and onnxruntime-web load only behind a dynamic import() or a separate subpath export: ' +
      'no chain of static imports from sdk/index.ts reaches them, so the core bundle never pulls them.',
    severity: 'error',
    from: { path: '^sdk/index\\.ts$' },
    to: { path: `${npmPackage('comlink')}|${npmPackage('onnxruntime-(?:web|node|common)')}`, reachable: true },
  },
  {
    name: 'public-entry-never-statically-reaches-node-builtins',
    comment: 'The public entry runs in browsers: no chain of static imports from sdk/index.ts reaches a Node builtin or a node-only module.',
    severity: 'error',
    from: { path: '^sdk/index\\.ts$' },
    to: { path: `${NODE_ONLY}|^(?:node:)?(?:fs|path|os|child_process|worker_threads|zlib|url|crypto|module|util|stream|http|https|net)(?:/|$)`, reachable: true },
  },
];

const staticEntryPass = process.env.QDISTILL_LAYERS === 'static-entry';

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: staticEntryPass ? staticEntryRules : layerRules,
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: {
      // Build output of scripts/build-wasm.mjs (may not exist yet; same layer as its importer).
      path: '(?:^|/)sdk/kernel/generated/',
      // The static pass ignores dynamic import(): what remains loads eagerly.
      ...(staticEntryPass ? { dynamic: true } : {}),
    },
    // Type-only imports count for layering; the static pass looks at runtime imports only.
    tsPreCompilationDeps: !staticEntryPass,
    // No `tsConfig`: NodeNext `./x.js` → `./x.ts` resolves without it, and with it the
    // static pass's transpile inherits `declaration: true`, on which TypeScript 5.9's
    // transpileModule crashes for some files ("reading 'includes'").
    // Demos import the package by its name, as users do: 'qdistill' resolves to the public entry
    // (an alias in a webpack-style resolve config, the one way dependency-cruiser takes aliases; rollup maps it to dist/index.js).
    webpackConfig: { fileName: join(__dirname, 'scripts', 'depcruise-resolve.cjs') },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      // Resolve packages to what a browser bundle loads (not their .d.ts).
      conditionNames: ['import', 'browser', 'default'],
      mainFields: ['module', 'browser', 'main'],
      extensions: ['.ts', '.mts', '.js', '.mjs', '.d.ts', '.json'],
    },
    skipAnalysisNotInRules: true,
    reporterOptions: { text: { highlightFocused: true } },
  },
};
