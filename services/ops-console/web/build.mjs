// Builds the console (Preact + Vite) to web/dist: `npm start` and the tests run it when a source changed
// (packages/local-cloud/src/http-api/static-site.ts); deploying uploads dist/ to the console bucket under ops/.
import { existsSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import preact from '@preact/preset-vite';
import { build } from 'vite';

const webDir = import.meta.dirname;
const outDir = join(webDir, 'dist');
// Built beside and swapped in, so a server reading dist/ (or a second build) never sees half a build.
const staging = join(webDir, `.dist-${process.pid}`);

await build({
  root: webDir,
  base: '/ops/',
  configFile: false,
  logLevel: 'warn',
  plugins: [preact()],
  build: { outDir: staging, emptyOutDir: true, target: 'es2022', chunkSizeWarningLimit: 300 },
});
const previous = join(webDir, `.dist-old-${process.pid}`);
if (existsSync(outDir)) renameSync(outDir, previous);
try {
  renameSync(staging, outDir);
} catch {
  // Another build swapped its own in first: it built the same sources.
  rmSync(staging, { recursive: true, force: true });
}
rmSync(previous, { recursive: true, force: true });
