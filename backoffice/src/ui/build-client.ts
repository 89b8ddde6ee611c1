import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PUBLIC_DIR } from '../paths';

const here = path.dirname(fileURLToPath(import.meta.url));
export const CLIENT_ENTRY = path.join(here, 'task-form.client.ts');
export const BUILD_DIR = path.join(PUBLIC_DIR, 'build');

/** Bundles the task-form client (form-js viewer) into `public/build/` (skipped when present unless forced). */
export async function buildClient(opts: { force?: boolean } = {}): Promise<void> {
  if (!opts.force && fs.existsSync(path.join(BUILD_DIR, 'task-form.client.js'))) return;
  // esbuild is a build tool of the repository root, not a run-time dependency of the server
  const esbuild = await import('esbuild');
  await esbuild.build({
    entryPoints: [CLIENT_ENTRY],
    outdir: BUILD_DIR,
    bundle: true,
    minify: true,
    format: 'esm',
    target: ['es2020'],
    sourcemap: false,
    legalComments: 'linked',
    loader: { '.woff': 'file', '.woff2': 'file', '.ttf': 'file', '.eot': 'file', '.svg': 'file' },
    logLevel: 'warning',
  });
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await buildClient({ force: true });
  console.log(`built ${BUILD_DIR}`);
}
