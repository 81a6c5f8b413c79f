// Bundles the JS shell (main thread and worker) with esbuild into trunk's staging
// directory (or dist/ when run by hand). Runs as trunk's post-build hook.
import { build } from 'esbuild';
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const outdir = process.env.TRUNK_STAGING_DIR || path.join(root, 'dist');

await build({
  entryPoints: { main: path.join(root, 'www/main.js'), worker: path.join(root, 'www/worker.js'), labworker: path.join(root, 'www/labworker.js') },
  bundle: true,
  format: 'esm',
  target: 'es2022',
  minify: process.env.TRUNK_PROFILE === 'release',
  sourcemap: false,
  outdir,
  // The worker loads the wasm-bindgen glue trunk emitted next to it at run time.
  external: ['./glassbox.js'],
  logLevel: 'warning',
});

// Trunk adds preloads and an inline loader that start the engine in the page, but only
// the worker runs it: they would download and instantiate it twice, and the inline
// script would need a CSP exception. The page keeps only its own module script.
const html = path.join(outdir, 'index.html');
if (fs.existsSync(html)) {
  const page = fs.readFileSync(html, 'utf8')
    .replace(/<link rel="(?:module)?preload"[^>]*glassbox[^>]*>/g, '')
    .replace(/<script type="module">\s*import init, \* as bindings from '\.\/glassbox\.js';[\s\S]*?<\/script>/, '');
  if (/<script(?![^>]*\bsrc=)[^>]*>/.test(page)) throw new Error('index.html still has an inline script, which the CSP forbids');
  fs.writeFileSync(html, page);
}
