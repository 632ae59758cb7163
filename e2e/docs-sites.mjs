// Real documentation sites that embed Statelab, built with the generators
// docs authors use (MkDocs Material, mdBook; `cargo xtask setup` installs
// both), for e2e/site/docs-sites.spec.mjs and e2e/bench/embeds.mjs. Each
// page embeds six tour steps with <statelab-embed>, written as README.md's
// "How to embed" tells an author to.
import { execFileSync } from 'node:child_process';
import { createServer } from 'node:http';
import { mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { extname, join, normalize, resolve } from 'node:path';

/** The six steps each page embeds: [tour, step]. */
export const STEPS = [
  ['sticky-crash', 2],
  ['revocation', 3],
  ['cart', 2],
  ['restart', 1],
  ['shared-store', 1],
  ['tamper', 1],
];

/** The page's Markdown: the kit's script tag and six elements (none when `embeds` is false). */
export function markdown(playground, embeds = true) {
  const intro = 'Six moments of the tours, each a figure until you load it.\n\n';
  if (!embeds) return `# Sessions, six figures\n\n${intro}`;
  const elements = STEPS.map(([tour, step]) => `<statelab-embed tour="${tour}" step="${step}"></statelab-embed>`).join('\n');
  return `# Sessions, six figures\n\n${intro}<script type="module" src="${playground}embed.js"></script>\n\n<div class="embeds">\n${elements}\n</div>\n`;
}

/** Builds the MkDocs Material site into `out`, with its light/dark toggle. */
export function buildMkdocs(dir, playground, embeds = true) {
  const src = join(dir, 'mkdocs-src');
  rmSync(src, { recursive: true, force: true });
  mkdirSync(join(src, 'docs'), { recursive: true });
  writeFileSync(join(src, 'docs/index.md'), markdown(playground, embeds));
  // No web fonts: the tests run without internet, as the site's readers may not.
  writeFileSync(
    join(src, 'mkdocs.yml'),
    `site_name: Statelab figures
theme:
  name: material
  font: false
  palette:
    - scheme: default
      toggle: {icon: material/brightness-7, name: Switch to dark mode}
    - scheme: slate
      toggle: {icon: material/brightness-4, name: Switch to light mode}
`,
  );
  const out = join(dir, 'mkdocs');
  execFileSync('python3', ['-m', 'mkdocs', 'build', '--quiet', '--clean', '-f', join(src, 'mkdocs.yml'), '-d', resolve(out)], { stdio: 'inherit', env: { ...process.env, NO_MKDOCS_2_WARNING: '1' } });
  return out;
}

/** Builds the mdBook site into `out` (its theme menu switches light/rust/coal/navy/ayu). */
export function buildMdbook(dir, playground, embeds = true) {
  const src = join(dir, 'mdbook-src');
  rmSync(src, { recursive: true, force: true });
  mkdirSync(join(src, 'src'), { recursive: true });
  writeFileSync(join(src, 'book.toml'), '[book]\ntitle = "Statelab figures"\n');
  writeFileSync(join(src, 'src/SUMMARY.md'), '# Summary\n\n[Figures](index.md)\n');
  writeFileSync(join(src, 'src/index.md'), markdown(playground, embeds));
  const out = join(dir, 'mdbook');
  execFileSync('mdbook', ['build', src, '-d', resolve(out)], { stdio: 'inherit' });
  return out;
}

const TYPES = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.css': 'text/css', '.svg': 'image/svg+xml', '.json': 'application/json', '.woff2': 'font/woff2' };

/**
 * Serves `root` on a free loopback port, gzipped as a host would; `extra`
 * maps a path to a page of its own (the foreign origin's test page).
 * Resolves to `{port, close}`.
 */
export function serve(root, extra = {}) {
  root = resolve(root);
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    if (extra[path]) return res.writeHead(200, { 'Content-Type': TYPES['.html'] }).end(extra[path]);
    let file = normalize(join(root, path));
    if (!file.startsWith(root)) return res.writeHead(403).end();
    try {
      if (statSync(file).isDirectory()) file = join(file, 'index.html');
      const body = gzipSync(readFileSync(file));
      res.writeHead(200, { 'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream', 'Content-Encoding': 'gzip', 'Cache-Control': 'no-store' }).end(body);
    } catch {
      res.writeHead(404).end('not found');
    }
  });
  return new Promise((ok) => server.listen(0, '127.0.0.1', () => ok({ port: server.address().port, close: () => server.close() })));
}
