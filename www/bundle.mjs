// Bundles the JS shell (main thread and worker) with esbuild into trunk's staging
// directory (or dist/ when run by hand). Runs as trunk's post-build hook.
import { build } from 'esbuild';
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const outdir = process.env.TRUNK_STAGING_DIR || path.join(root, 'dist');

await build({
  entryPoints: { main: path.join(root, 'www/main.js'), worker: path.join(root, 'www/worker.js') },
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

// Trunk preloads the wasm glue into the page, but only the worker loads the engine: the
// preloads would download it twice and Chromium warns that they go unused.
const html = path.join(outdir, 'index.html');
if (fs.existsSync(html)) {
  const page = fs.readFileSync(html, 'utf8');
  fs.writeFileSync(html, page.replace(/<link rel="(?:module)?preload"[^>]*glassbox[^>]*>/g, ''));
}
