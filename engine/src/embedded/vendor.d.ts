// Minimal declarations for the untyped packages the embedded engine uses.
declare module 'bpmn-moddle' {
  export class BpmnModdle {
    constructor(packages?: Record<string, unknown>);
    create(type: string, attrs?: Record<string, unknown>): unknown;
    fromXML(xml: string, typeName?: string): Promise<{ rootElement: unknown; elementsById: Record<string, unknown>; references: unknown[]; warnings: { message?: string }[] }>;
  }
}
declare module 'bpmnlint' {
  export class Linter {
    constructor(options: { config: unknown; resolver: unknown });
    lint(definitions: unknown): Promise<unknown>;
  }
}
declare module 'bpmnlint/lib/resolver/node-resolver.js' {
  export default class NodeResolver {
    constructor(options?: { require?: NodeJS.Require; requireLocal?: NodeJS.Require });
  }
}
