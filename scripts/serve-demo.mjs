#!/usr/bin/env node
// `npm run demo`: serves the web studio at http://127.0.0.1:$PORT/ (default
// 8080) with COOP/COEP headers (cross-origin isolated: SharedArrayBuffer
// works), after `npm run build` has built the bundle, the studio and its data.
// Also serves demos/01 at /demos/01-qnn-classifier/ (it imports /dist/…).
//
//   /                 → dist/browser/studio/ (the studio), then dist/browser/
//   /dist/, /demos/   → the repository's dist/ and demos/
import { createReadStream, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(fileURLToPath(new URL('.', import.meta.url)), '..');
const TYPES = {
  '.html': 'text/html; charset=utf-8', '.mjs': 'text/javascript; charset=utf-8', '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8', '.json': 'application/json; charset=utf-8', '.map': 'application/json; charset=utf-8',
  '.wasm': 'application/wasm', '.png': 'image/png', '.svg': 'image/svg+xml', '.onnx': 'application/octet-stream', '.gz': 'application/octet-stream',
};

function resolveFile(urlPath) {
  const path = decodeURIComponent(urlPath.split('?')[0]);
  const bases = path.startsWith('/dist/') || path.startsWith('/demos/')
    ? [root]
    : [join(root, 'dist', 'browser', 'studio'), join(root, 'dist', 'browser')];
  for (const base of bases) {
    let file = normalize(join(base, path));
    if (!file.startsWith(base + sep) && file !== base) continue;
    try {
      if (statSync(file).isDirectory()) file = join(file, 'index.html');
      if (statSync(file).isFile()) return file;
    } catch {
      // try the next base
    }
  }
  return null;
}

/** Starts the demo server; resolves with it once listening. */
export function startDemoServer({ port = Number(process.env.PORT ?? 8080), host = '127.0.0.1' } = {}) {
  const server = createServer((req, res) => {
    const file = resolveFile(req.url ?? '/');
    const headers = { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp', 'Cross-Origin-Resource-Policy': 'same-origin', 'Cache-Control': 'no-cache' };
    if (!file) {
      res.writeHead(404, { ...headers, 'Content-Type': 'text/plain; charset=utf-8' });
      res.end(`not found: ${req.url} (run npm run build first?)`);
      return;
    }
    res.writeHead(200, { ...headers, 'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream', 'Content-Length': statSync(file).size });
    createReadStream(file).pipe(res);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve(server));
  });
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  if (!resolveFile('/index.html')) {
    console.error('dist/browser/studio/index.html is missing: run npm run build first (npm run demo does)');
    process.exit(1);
  }
  const server = await startDemoServer();
  const { port } = server.address();
  console.log(`qdistill studio: http://127.0.0.1:${port}/   (demo 01: http://127.0.0.1:${port}/demos/01-qnn-classifier/)   Ctrl-C stops`);
}
