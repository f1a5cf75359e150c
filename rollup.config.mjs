// Browser bundle: the isomorphic public entry (already compiled by tsc into
// dist/) as ES modules for a <script type="module">. The engine is embedded as
// base64, so the bundle needs no .wasm file next to it; onnxruntime-web's
// .wasm is emitted next to its chunk. The web studio (demos/studio) is built
// in the same graph, so it shares the SDK's chunks.
import commonjs from '@rollup/plugin-commonjs';
import { nodeResolve } from '@rollup/plugin-node-resolve';
import { poolWorker } from './scripts/rollup-pool-worker.mjs';
import { noNodeBuiltins, nodeOnlyStubs } from './scripts/rollup-node-only.mjs';
import { bundleBudget, copyFiles, onnxRuntimeWasm, resolveQdistill } from './scripts/rollup-studio.mjs';

const KiB = 1024;

export default {
  input: { qdistill: 'dist/index.js', 'studio/app': 'demos/studio/app.mjs', 'studio/jobs': 'demos/studio/jobs.mjs' },
  output: {
    dir: 'dist/browser',
    format: 'es',
    entryFileNames: '[name].mjs',
    chunkFileNames: 'chunks/[name]-[hash].mjs',
    sourcemap: true,
  },
  // commonjs: ml-matrix (used by PCA) ships its ESM entry as a wrapper around a CommonJS file.
  plugins: [
    resolveQdistill('.'),
    // Node-only modules become throwing stubs; the build fails if a chunk still imports a Node built-in.
    nodeOnlyStubs('dist'),
    noNodeBuiltins(),
    nodeResolve({ browser: true }),
    commonjs(),
    poolWorker(),
    onnxRuntimeWasm(),
    copyFiles({
      'demos/studio/index.html': 'studio/index.html',
      'demos/studio/studio.css': 'studio/studio.css',
      'node_modules/uplot/dist/uPlot.min.css': 'studio/uPlot.min.css',
    }),
    // Budgets (gzip) with ~25 % headroom over the sizes measured when they were set.
    bundleBudget({
      core: { entry: 'qdistill.mjs', budget: 460 * KiB },
      onnx: { match: (f) => /ort|onnx/.test(f), budget: 4600 * KiB },
      worker: { entries: ['qdistill-worker.mjs', 'studio/jobs.mjs'], budget: 420 * KiB },
      studio: { entry: 'studio/app.mjs', budget: 180 * KiB },
    }),
  ],
  onwarn(warning, warn) {
    if (warning.code === 'CIRCULAR_DEPENDENCY' && warning.ids?.every((id) => id.includes('node_modules'))) return;
    warn(warning);
  },
};
