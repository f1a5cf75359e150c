// Rollup plugins of the browser build (rollup.config.mjs):
//  - onnxRuntimeWasm: emits onnxruntime-web's CPU .wasm next to the chunk that
//    loads it, where onnxruntime looks by default (new URL(…, import.meta.url)),
//    so OnnxTeacher works in a browser with no configureOnnxRuntime({ wasmPaths });
//  - resolveQdistill: demos import 'qdistill' (the public entry) like users do;
//    in this build it is the compiled dist/index.js, shared with the bundle;
//  - copyFiles: the studio's static files (HTML, CSS);
//  - bundleBudget: prints each part's size (raw and gzip) and fails the build
//    when a part outgrows its budget.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';

const require = createRequire(import.meta.url);
export const ORT_WASM = 'ort-wasm-simd-threaded.wasm';

export function onnxRuntimeWasm() {
  return {
    name: 'qdistill-onnxruntime-wasm',
    generateBundle(_options, bundle) {
      const ortChunk = Object.values(bundle).find((c) => c.type === 'chunk' && c.code.includes(`"${ORT_WASM}",import.meta.url`));
      if (!ortChunk) this.error(`onnxruntime-web's chunk (loading ${ORT_WASM} by import.meta.url) not found: did onnxruntime-web change how it finds its wasm?`);
      const dir = dirname(require.resolve('onnxruntime-web/wasm'));
      this.emitFile({ type: 'asset', fileName: join(dirname(ortChunk.fileName), ORT_WASM), source: readFileSync(join(dir, ORT_WASM)) });
    },
  };
}

export function resolveQdistill(root) {
  return {
    name: 'qdistill-public-entry',
    resolveId(id) {
      return id === 'qdistill' ? resolve(root, 'dist/index.js') : null;
    },
  };
}

export function copyFiles(files) {
  return {
    name: 'qdistill-copy-files',
    generateBundle() {
      for (const [from, to] of Object.entries(files)) this.emitFile({ type: 'asset', fileName: to, source: readFileSync(from) });
    },
  };
}

const kib = (n) => `${(n / 1024).toFixed(0)} KiB`;

/**
 * `parts`: name → { entry | entries (chunk fileNames) | match (a predicate on file names), budget (gzip bytes) }.
 * An entry part counts its entries and every chunk they import statically; a match part counts the files it matches.
 */
export function bundleBudget(parts) {
  return {
    name: 'qdistill-bundle-budget',
    generateBundle(_options, bundle) {
      const bytes = (f) => {
        const file = bundle[f];
        return file.type === 'chunk' ? Buffer.from(file.code) : Buffer.from(file.source);
      };
      const rows = [];
      const over = [];
      for (const [name, part] of Object.entries(parts)) {
        const files = new Set();
        const entries = part.entries ?? (part.entry ? [part.entry] : null);
        if (entries) {
          const visit = (f) => {
            if (files.has(f) || !bundle[f]) return;
            files.add(f);
            for (const i of bundle[f].imports ?? []) visit(i);
          };
          for (const entry of entries) {
            if (!bundle[entry]) this.error(`bundle budget: entry ${entry} is not in the bundle`);
            visit(entry);
          }
        } else for (const f of Object.keys(bundle)) if (!f.endsWith('.map') && part.match(f)) files.add(f);
        let raw = 0;
        let gzip = 0;
        for (const f of files) {
          const b = bytes(f);
          raw += b.length;
          gzip += gzipSync(b).length;
        }
        rows.push(`  ${name.padEnd(8)} ${kib(raw).padStart(9)} raw ${kib(gzip).padStart(9)} gzip   budget ${kib(part.budget)} gzip   (${files.size} files)`);
        if (gzip > part.budget) over.push(`${name}: ${kib(gzip)} gzip > budget ${kib(part.budget)}`);
      }
      console.log(`bundle sizes (dist/browser):\n${rows.join('\n')}`);
      if (over.length) this.error(`bundle budget exceeded: ${over.join('; ')} (raise the budget in rollup.config.mjs only with a reason)`);
    },
  };
}
