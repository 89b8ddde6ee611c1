import { createRequire } from 'node:module';
import { Linter } from 'bpmnlint';
import NodeResolver from 'bpmnlint/lib/resolver/node-resolver.js';
import { OPENSPIS_EMBEDDED_CONFIG, OPENSPIS_RULES } from './lint/embedded-subset.rules';

/**
 * Deploy-time lint: bpmnlint with the Camunda 8.8 compatibility config plus our own plugin for
 * what the embedded engine cannot run, through the API on the zeebe-aware moddle tree (the CLI
 * parses with a plain moddle and reports false errors).
 */
export interface LintReport { rule: string; elementId: string; message: string; category: string }

const require = createRequire(import.meta.url);
const OWN_PLUGIN = 'bpmnlint-plugin-openspis';
// resolve rules from this package, whatever the working directory of the process is
const nodeResolver = new NodeResolver({ require }) as unknown as {
  resolveRule(pkg: string, name: string): unknown;
  resolveConfig(pkg: string, name: string): unknown;
};
const linter = new Linter({
  config: { extends: ['plugin:camunda-compat/camunda-cloud-8-8', 'plugin:openspis/embedded'] },
  // our plugin lives in this package, not in node_modules
  resolver: {
    resolveRule: (pkg: string, name: string) => (pkg === OWN_PLUGIN ? OPENSPIS_RULES[name] : nodeResolver.resolveRule(pkg, name)),
    resolveConfig: (pkg: string, name: string) => (pkg === OWN_PLUGIN && name === 'embedded' ? OPENSPIS_EMBEDDED_CONFIG : nodeResolver.resolveConfig(pkg, name)),
  },
});

export async function lintBpmn(rootElement: unknown): Promise<LintReport[]> {
  const results = (await linter.lint(rootElement)) as Record<string, { id?: string; message: string; category: string }[]>;
  const reports: LintReport[] = [];
  for (const [rule, list] of Object.entries(results)) {
    for (const r of list) reports.push({ rule, elementId: r.id ?? '', message: r.message, category: r.category });
  }
  return reports;
}
