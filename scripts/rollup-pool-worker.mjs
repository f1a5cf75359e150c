// Rollup plugin of the browser bundle: the worker pool's Web Worker script
// (dist/workers/worker-entry.js) becomes its own entry, qdistill-worker.mjs,
// and dist/workers/spawn.js is pointed at it — its
// `new URL('./worker-entry.js', import.meta.url)` becomes the emitted file's URL
// (the pattern Vite and webpack recognise too).
import { dirname, join } from 'node:path';

const PATTERN = "new URL('./worker-entry.js', import.meta.url)";

/** The plugin. */
export function poolWorker() {
  return {
    name: 'qdistill-pool-worker',
    transform(code, id) {
      if (!id.replace(/\\/g, '/').endsWith('/dist/workers/spawn.js')) return null;
      if (!code.includes(PATTERN)) this.error(`dist/workers/spawn.js no longer starts its worker with ${PATTERN}: update scripts/rollup-pool-worker.mjs`);
      const ref = this.emitFile({ type: 'chunk', id: join(dirname(id), 'worker-entry.js'), fileName: 'qdistill-worker.mjs' });
      return { code: code.replace(PATTERN, `new URL(import.meta.ROLLUP_FILE_URL_${ref})`), map: null };
    },
  };
}
