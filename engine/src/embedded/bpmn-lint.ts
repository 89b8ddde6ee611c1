import { createRequire } from 'node:module';
import { Linter } from 'bpmnlint';
import NodeResolver from 'bpmnlint/lib/resolver/node-resolver.js';

/**
 * Deploy-time lint: bpmnlint with the Camunda 8.8 compatibility config, run through the API on the
 * zeebe-aware moddle tree (the CLI parses with a plain moddle and reports false errors).
 */
export interface LintReport { rule: string; elementId: string; message: string; category: string }

const require = createRequire(import.meta.url);
const linter = new Linter({
  config: { extends: ['plugin:camunda-compat/camunda-cloud-8-8'] },
  // resolve rules from this package, whatever the working directory of the process is
  resolver: new NodeResolver({ require }),
});

export async function lintBpmn(rootElement: unknown): Promise<LintReport[]> {
  const results = (await linter.lint(rootElement)) as Record<string, { id?: string; message: string; category: string }[]>;
  const reports: LintReport[] = [];
  for (const [rule, list] of Object.entries(results)) {
    for (const r of list) reports.push({ rule, elementId: r.id ?? '', message: r.message, category: r.category });
  }
  return reports;
}
