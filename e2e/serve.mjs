// A tiny static server for the end-to-end tests: serves a directory on
// loopback, optionally under a sub-path (to prove the build works there).
// With --gzip it compresses every response, as a real static host would
// (the first-render benchmark loads pages over a throttled network).
// Usage: node e2e/serve.mjs --root dist --port 4173 [--base /docs/playground/] [--gzip]
import { createServer } from 'node:http';
import { gzipSync } from 'node:zlib';
import { readFile, stat } from 'node:fs/promises';
import { extname, join, normalize, resolve } from 'node:path';

const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
};
const root = resolve(arg('root', 'dist'));
const port = Number(arg('port', '4173'));
const base = arg('base', '/');
const gzip = process.argv.includes('--gzip');
const types = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript',
  '.mjs': 'text/javascript',
  '.wasm': 'application/wasm',
  '.css': 'text/css',
  '.svg': 'image/svg+xml',
  '.json': 'application/json',
};

// Each file compressed once, as a host serves precompressed files:
// compressing the wasm on every request held this one thread for tens of
// milliseconds, and the page's stylesheet, asked for at the same moment,
// waited behind it.
const compressed = new Map();
const gzipped = (file, body) => {
  const hit = compressed.get(file);
  if (hit?.source.equals(body)) return hit.gz;
  const gz = gzipSync(body, { level: 9 });
  compressed.set(file, { source: body, gz });
  return gz;
};

createServer(async (req, res) => {
  const path = decodeURIComponent(new URL(req.url, 'http://x').pathname);
  if (!path.startsWith(base)) {
    res.writeHead(404).end('outside the base path');
    return;
  }
  let file = normalize(join(root, path.slice(base.length)));
  if (!file.startsWith(root)) {
    res.writeHead(403).end();
    return;
  }
  try {
    if ((await stat(file)).isDirectory()) file = join(file, 'index.html');
    const body = await readFile(file);
    const headers = { 'Content-Type': types[extname(file)] ?? 'application/octet-stream', 'Cache-Control': 'no-store' };
    // A docs page on another origin loads embed.js as a module, which is fetched with CORS.
    if (extname(file) === '.js') headers['Access-Control-Allow-Origin'] = '*';
    if (gzip) headers['Content-Encoding'] = 'gzip';
    res.writeHead(200, headers).end(gzip ? gzipped(file, body) : body);
  } catch {
    res.writeHead(404).end('not found');
  }
}).listen(port, '127.0.0.1', () => console.log(`serving ${root} at http://127.0.0.1:${port}${base}`));
