import fs from 'node:fs';
import { builtinModules } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * Every package a file imports is declared where npm installs it for that file: a workspace's code in
 * its own `dependencies` (a production install omits dev dependencies), its tests and test helpers
 * also in its `devDependencies` or the root's (the test runner and shared test tools live at the
 * root); the root's tests, benches and scripts in the root's, which also has every workspace. An
 * undeclared import works only while hoisting happens to put the package within reach.
 */
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const SKIP = new Set(['node_modules', 'dist', 'build', '.astro', 'data', 'public']);
const IMPORT = /(?:^|[\s;])(?:import|export)\s(?:[^'"`;]*?\sfrom\s*)?['"]([^'"]+)['"]|import\s*\(\s*['"]([^'"]+)['"]\s*\)|require\(\s*['"]([^'"]+)['"]\s*\)/g;
const BUILTIN = new Set(builtinModules);

interface Pkg { name?: string; workspaces?: string[]; dependencies?: Record<string, string>; devDependencies?: Record<string, string>; peerDependencies?: Record<string, string>; optionalDependencies?: Record<string, string> }
const readPkg = (dir: string): Pkg => JSON.parse(fs.readFileSync(path.join(ROOT, dir, 'package.json'), 'utf8'));
const names = (...records: (Record<string, string> | undefined)[]) => new Set(records.flatMap((r) => Object.keys(r ?? {})));

function sources(dir: string, out: string[] = []): string[] {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    if (SKIP.has(e.name) || e.name.startsWith('.')) continue;
    const p = path.join(dir, e.name);
    if (e.isDirectory()) sources(p, out);
    else if (/\.(m?[jt]s|tsx|astro)$/.test(e.name) && !e.name.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

function packageOf(spec: string): string | null {
  if (spec.startsWith('.') || spec.startsWith('/') || spec.startsWith('node:') || /^(virtual|astro):/.test(spec)) return null;
  const name = spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0];
  return BUILTIN.has(name) ? null : name;
}

const isTestCode = (file: string) => /\.test\.[mc]?[jt]s$|\.fixture\.ts$|test-support\.ts$|[/\\]testing[/\\]/.test(file);

function undeclared(): string[] {
  const root = readPkg('.');
  const rootAll = names(root.dependencies, root.devDependencies);
  const workspaces = root.workspaces ?? [];
  const workspaceNames = new Set(workspaces.map((w) => readPkg(w).name!));
  const units = [
    ...workspaces.map((w) => {
      const pkg = readPkg(w);
      const runtime = names(pkg.dependencies, pkg.peerDependencies, pkg.optionalDependencies);
      const test = new Set([...runtime, ...names(pkg.devDependencies), ...rootAll]);
      return { dir: w, self: pkg.name, allowed: (file: string) => (isTestCode(file) ? test : runtime) };
    }),
    ...['test', 'bench', 'scripts'].map((dir) => ({ dir, self: root.name, allowed: () => new Set([...rootAll, ...workspaceNames]) })),
  ];
  const problems: string[] = [];
  for (const u of units) {
    for (const file of sources(path.join(ROOT, u.dir))) {
      const allowed = u.allowed(file);
      for (const m of fs.readFileSync(file, 'utf8').matchAll(IMPORT)) {
        const name = packageOf(m[1] ?? m[2] ?? m[3]);
        if (name && name !== u.self && !allowed.has(name)) problems.push(`${path.relative(ROOT, file)}: ${name}`);
      }
    }
  }
  return [...new Set(problems)].sort();
}

describe('package manifests', () => {
  it('declare every package the code imports, in the workspace that imports it', () => {
    expect(undeclared()).toEqual([]);
  });
});
