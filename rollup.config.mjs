// Browser bundle: the isomorphic public entry (already compiled by tsc into
// dist/) as ES modules for a <script type="module">. The engine is embedded as
// base64, so the bundle needs no .wasm file next to it.
import commonjs from '@rollup/plugin-commonjs';
import { nodeResolve } from '@rollup/plugin-node-resolve';
import { poolWorker } from './scripts/rollup-pool-worker.mjs';

export default {
  input: { qdistill: 'dist/index.js' },
  output: {
    dir: 'dist/browser',
    format: 'es',
    entryFileNames: '[name].mjs',
    chunkFileNames: 'chunks/[name]-[hash].mjs',
    sourcemap: true,
  },
  // commonjs: ml-matrix (used by PCA) ships its ESM entry as a wrapper around a CommonJS file.
  plugins: [nodeResolve({ browser: true }), commonjs(), poolWorker()],
  onwarn(warning, warn) {
    if (warning.code === 'CIRCULAR_DEPENDENCY' && warning.ids?.every((id) => id.includes('node_modules'))) return;
    warn(warning);
  },
};
