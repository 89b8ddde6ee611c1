#!/usr/bin/env node
// `npm start`: runs the whole system on the embedded defaults — the app process (back-office,
// public API, embedded engine, job workers, PGlite) and the citizen portal as a separate process
// that reaches the app only over HTTP. Builds the portal first when its sources changed.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const env = { DEMO_DATA: 'true', ...process.env, IBM_TELEMETRY_DISABLED: 'true' };
const appPort = env.PORT || '3000';
const portalPort = env.PORTAL_PORT || '4321';
const host = env.HOST || '127.0.0.1';
env.PUBLIC_BASE_URL ||= `http://localhost:${appPort}`;
env.PORTAL_URL ||= `http://localhost:${portalPort}`;

function newestMtime(dir) {
  let newest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name === 'dist' || entry.name === '.astro') continue;
    const p = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(p) : fs.statSync(p).mtimeMs);
  }
  return newest;
}

const portalEntry = path.join(root, 'portal/dist/server/entry.mjs');
const portalSources = Math.max(newestMtime(path.join(root, 'portal')), newestMtime(path.join(root, 'i18n')));
if (!fs.existsSync(portalEntry) || fs.statSync(portalEntry).mtimeMs < portalSources) {
  console.log('Building the portal…');
  const built = spawnSync('npm', ['run', 'build', '-w', '@openspis/portal'], { cwd: root, env, stdio: 'inherit' });
  if (built.status !== 0) process.exit(built.status ?? 1);
}

const children = [];
let stopping = false;

function run(name, args, childEnv) {
  const child = spawn(process.execPath, args, { cwd: root, env: childEnv, stdio: 'inherit' });
  child.on('exit', (code, signal) => {
    if (!stopping) {
      console.error(`${name} exited (${signal ?? code}); stopping the rest`);
      stop(code || 1);
    } else if (children.every((c) => c.exitCode !== null || c.signalCode !== null)) {
      process.exit(process.exitCode ?? 0);
    }
  });
  children.push(child);
}

function stop(code = 0) {
  if (stopping) return;
  stopping = true;
  process.exitCode = code;
  for (const child of children) if (child.exitCode === null) child.kill('SIGTERM');
}

process.on('SIGINT', () => stop(0));
process.on('SIGTERM', () => stop(0));

run('app', ['--import', 'tsx', 'backoffice/src/main.ts'], { ...env, PORT: appPort, HOST: host });
run('portal', [portalEntry], {
  ...env,
  HOST: host,
  PORT: portalPort,
  PUBLIC_API_URL: env.PUBLIC_API_URL || `http://127.0.0.1:${appPort}/api/public/v1`,
});
