// Browser bundle: the isomorphic public entry (already compiled by tsc into
// dist/) as ES modules for a <script type="module">. The engine is embedded as
// base64, so the bundle needs no .wasm file next to it.
import { dirname, join } from 'node:path';
import commonjs from '@rollup/plugin-commonjs';
import { nodeResolve } from '@rollup/plugin-node-resolve';

/**
 * The worker pool's Web Worker script (dist/workers/worker-entry.js) as its
 * own entry, qdistill-worker.mjs, and dist/workers/spawn.js pointed at it:
 * `new URL('./worker-entry.js', import.meta.url)` becomes the emitted file's URL.
 */
function poolWorker() {
  const pattern = "new URL('./worker-entry.js', import.meta.url)";
  return {
    name: 'qdistill-pool-worker',
    transform(code, id) {
      if (!id.replace(/\\/g, '/').endsWith('/dist/workers/spawn.js')) return null;
      if (!code.includes(pattern)) this.error(`dist/workers/spawn.js no longer starts its worker with ${pattern}: update rollup.config.mjs`);
      const ref = this.emitFile({ type: 'chunk', id: join(dirname(id), 'worker-entry.js'), fileName: 'qdistill-worker.mjs' });
      return { code: code.replace(pattern, `new URL(import.meta.ROLLUP_FILE_URL_${ref})`), map: null };
    },
  };
}

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
