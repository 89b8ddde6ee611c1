import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

/**
 * The official request and response schemas of the Camunda 8.8 Orchestration Cluster REST API,
 * as shipped in `@camunda8/orchestration-cluster-api` 8.8.4: zod schemas and operation functions
 * generated from Camunda's OpenAPI document (`z<Operation>Data` = body/path/query,
 * `z<Operation>Response`; each operation function names its method and URL). The package does not
 * export them, so its generated module is loaded as it is, with an export list added — nothing here
 * is written by hand.
 */
export interface Operation {
  name: string;
  method: string;
  pattern: RegExp;
  template: string;
  data: SafeParser | undefined;
  response: SafeParser | undefined;
}
export interface SafeParser { safeParse(v: unknown): { success: boolean; error?: { message: string } } }

const require = createRequire(import.meta.url);

export async function loadOfficialOperations(): Promise<Operation[]> {
  const dist = path.dirname(require.resolve('@camunda8/orchestration-cluster-api'));
  const pkgJson = path.join(dist, '..', 'package.json');
  const chunk = fs.readdirSync(dist).map((f) => path.join(dist, f)).find((f) => f.endsWith('.js') && fs.readFileSync(f, 'utf8').includes('var zActivateJobsData'));
  if (!chunk) throw new Error('generated schemas not found in @camunda8/orchestration-cluster-api');
  const pkgRequire = createRequire(pkgJson);
  let source = fs.readFileSync(chunk, 'utf8')
    .replace(/from "(\.\/[^"]+)"/g, (_m, rel: string) => `from "${pathToFileURL(path.join(dist, rel)).href}"`)
    .replace(/from "(zod|typed-env)"/g, (_m, name: string) => `from "${pathToFileURL(pkgRequire.resolve(name)).href}"`);
  source = source.replace(/^\/\/# sourceMappingURL=.*$/m, '');
  const schemaNames = [...source.matchAll(/^var (z[A-Z]\w*(?:Data|Response)) = /gm)].map((m) => m[1]);
  source += `\nexport const __schemas = { ${schemaNames.join(', ')} };\n`;
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'camunda-schemas-')), 'schemas.mjs');
  fs.writeFileSync(file, source);
  const mod = (await import(pathToFileURL(file).href)) as { __schemas: Record<string, SafeParser> };

  const operations: Operation[] = [];
  const fnRe = /^var (\w+) = \((?:options)?\) => \{\n\s+return \(options\??\.client \?\? client\)\.(get|post|put|patch|delete)\(\{[\s\S]*?url: "([^"]+)"/gm;
  for (const m of source.matchAll(fnRe)) {
    const [, name, method, template] = m;
    const cap = name[0].toUpperCase() + name.slice(1);
    const pattern = new RegExp(`^${template.replace(/\{[^}]+\}/g, '[^/]+')}$`);
    operations.push({ name, method: method.toUpperCase(), pattern, template, data: mod.__schemas[`z${cap}Data`], response: mod.__schemas[`z${cap}Response`] });
  }
  if (operations.length < 50) throw new Error(`only ${operations.length} operations found in the generated client`);
  return operations;
}

/** The operation a request is for: literal path segments win over `{key}` ones. */
export function findOperation(ops: Operation[], method: string, apiPath: string): Operation | undefined {
  const matches = ops.filter((o) => o.method === method && o.pattern.test(apiPath));
  return matches.sort((a, b) => (b.template.match(/\{/g)?.length ?? 0) < (a.template.match(/\{/g)?.length ?? 0) ? 1 : -1)[0];
}

/** path parameters of a request, by the names in the operation's URL template */
export function pathParams(op: Operation, apiPath: string): Record<string, string> {
  const names = [...op.template.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
  const values = apiPath.match(new RegExp(`^${op.template.replace(/\{[^}]+\}/g, '([^/]+)')}$`))?.slice(1) ?? [];
  return Object.fromEntries(names.map((n, i) => [n, decodeURIComponent(values[i])]));
}
