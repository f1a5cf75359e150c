// Rollup plugins of the browser build (rollup.config.mjs) that keep Node out
// of the browser bundle:
//  - nodeOnlyStubs: the SDK's Node-only modules, which the isomorphic code
//    loads by a dynamic import() only when it runs in Node (reading a teacher
//    file, spawning worker_threads), become stubs in the browser bundle that
//    throw E_UNSUPPORTED — so no browser chunk imports node:fs & co.;
//  - noNodeBuiltins: fails the build when any emitted chunk still imports a
//    Node built-in (`node:*`, `fs`, `path`, …), statically or dynamically,
//    naming the chunk and the module that pulled it in.
import { readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, resolve } from 'node:path';

/** Compiled Node-only modules (relative to dist/) and why a browser never reaches them. */
export const NODE_ONLY_MODULES = {
  'workers/node-spawn.js': 'worker_threads workers; the browser pool uses Web Workers',
  'teachers/node/files.js': 'reading a teacher from a file path; in a browser, pass a URL or the bytes',
};

const STUB = '\0qdistill-node-only:';
const BUILTINS = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));

/** Is `id` (an import specifier) a Node built-in? */
export const isNodeBuiltin = (id) => id.startsWith('node:') || BUILTINS.has(id);

export function nodeOnlyStubs(distDir) {
  const dist = resolve(distDir);
  const targets = new Map(Object.entries(NODE_ONLY_MODULES).map(([rel, why]) => [resolve(dist, rel), why]));
  return {
    name: 'qdistill-node-only-stubs',
    resolveId(source, importer) {
      if (!importer || !source.startsWith('.')) return null;
      const target = resolve(dirname(importer), source);
      return targets.has(target) ? `${STUB}${target}` : null;
    },
    load(id) {
      if (!id.startsWith(STUB)) return null;
      const file = id.slice(STUB.length);
      const why = targets.get(file);
      const names = [...readFileSync(file, 'utf8').matchAll(/^export (?:async )?(?:function\*?|const|let|class) ([A-Za-z_$][\w$]*)/gm)].map((m) => m[1]);
      if (names.length === 0) this.error(`nodeOnlyStubs: ${file} exports nothing the stub can replace`);
      const errors = JSON.stringify(resolve(dist, 'errors.js'));
      const body = names.map(
        (name) =>
          `export function ${name}() {\n  throw new QDistillError('E_UNSUPPORTED', ${JSON.stringify(`${name}: Node only, not in the browser build of qdistill (${why})`)});\n}`,
      );
      return `import { QDistillError } from ${errors};\n${body.join('\n')}\n`;
    },
  };
}

export function noNodeBuiltins() {
  return {
    name: 'qdistill-no-node-builtins',
    generateBundle(_options, bundle) {
      const found = [];
      for (const chunk of Object.values(bundle)) {
        if (chunk.type !== 'chunk') continue;
        const imported = [...chunk.imports, ...chunk.dynamicImports].filter(isNodeBuiltin);
        if (imported.length === 0) continue;
        const from = Object.keys(chunk.modules).filter((m) => !m.startsWith('\0')).map((m) => m.replace(/^.*?\/(dist|node_modules)\//, '$1/'));
        found.push(`${chunk.fileName} imports ${[...new Set(imported)].join(', ')} (modules: ${from.slice(0, 6).join(', ')}${from.length > 6 ? ', …' : ''})`);
      }
      if (found.length) {
        this.error(
          `the browser bundle must not import Node built-ins:\n  ${found.join('\n  ')}\n` +
            'Load Node-only code behind a dynamic import() in a module listed in scripts/rollup-node-only.mjs (NODE_ONLY_MODULES), or keep it out of the public entry.',
        );
      }
    },
  };
}
