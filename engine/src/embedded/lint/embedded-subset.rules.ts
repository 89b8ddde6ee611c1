/**
 * Our bpmnlint rules (plugin `openspis`, config `plugin:openspis/embedded`): what Camunda 8.8
 * accepts but the embedded engine cannot run. Applied at deploy together with camunda-compat, so
 * every deployed diagram runs on both engines. Each rule names what to use instead.
 */
interface Node {
  $type: string;
  id?: string;
  [key: string]: unknown;
}
interface Reporter { report(id: string | undefined, message: string): void }
type RuleFactory = () => { check(node: Node, reporter: Reporter): void };

const eventDefinitions = (node: Node) => ((node.eventDefinitions as Node[] | undefined) ?? []).map((d) => d.$type);

/** An inclusive gateway may split, but bpmn-engine cannot join inclusive branches. */
const inclusiveGatewayJoin: RuleFactory = () => ({
  check(node, reporter) {
    if (node.$type === 'bpmn:InclusiveGateway' && ((node.incoming as unknown[] | undefined)?.length ?? 0) > 1) {
      reporter.report(node.id, 'An inclusive gateway that joins branches is not supported by the embedded engine; join with a parallel gateway, or split so that no join is needed');
    }
  },
});

/** Event subprocesses (message, timer, error start inside a subprocess) are not supported. */
const eventSubprocess: RuleFactory = () => ({
  check(node, reporter) {
    if (node.$type === 'bpmn:SubProcess' && node.triggeredByEvent) {
      reporter.report(node.id, 'Event subprocesses are not supported by the embedded engine; use a boundary event on a subprocess instead');
    }
  },
});

/** Timer cycles must be ISO 8601 repetitions (R3/PT1H, R/PT1H, R2/<start>/PT1H), not cron. */
const timerCycleCron: RuleFactory = () => ({
  check(node, reporter) {
    if (node.$type !== 'bpmn:TimerEventDefinition') return;
    const cycle = (node.timeCycle as { body?: string } | undefined)?.body?.trim();
    if (cycle && !cycle.startsWith('=') && !/^R\d*\//.test(cycle)) {
      reporter.report(node.id, `The timer cycle "${cycle}" is not an ISO 8601 repetition (such as R3/PT1H); cron cycles are not supported by the embedded engine`);
    }
  },
});

const SUPPORTED_ELEMENTS = new Set([
  'bpmn:StartEvent', 'bpmn:EndEvent', 'bpmn:IntermediateCatchEvent', 'bpmn:BoundaryEvent', 'bpmn:IntermediateThrowEvent',
  'bpmn:ServiceTask', 'bpmn:UserTask', 'bpmn:SendTask', 'bpmn:ReceiveTask', 'bpmn:ScriptTask', 'bpmn:Task',
  'bpmn:ExclusiveGateway', 'bpmn:ParallelGateway', 'bpmn:EventBasedGateway', 'bpmn:InclusiveGateway',
  'bpmn:SubProcess', 'bpmn:CallActivity',
  'bpmn:SequenceFlow', 'bpmn:DataObject', 'bpmn:DataObjectReference', 'bpmn:DataStoreReference', 'bpmn:TextAnnotation', 'bpmn:Association', 'bpmn:Group',
]);
const SUPPORTED_EVENTS: Record<string, string[]> = {
  'bpmn:StartEvent': ['bpmn:MessageEventDefinition', 'bpmn:TimerEventDefinition'],
  'bpmn:EndEvent': ['bpmn:ErrorEventDefinition', 'bpmn:TerminateEventDefinition', 'bpmn:MessageEventDefinition'],
  'bpmn:IntermediateCatchEvent': ['bpmn:MessageEventDefinition', 'bpmn:TimerEventDefinition'],
  'bpmn:IntermediateThrowEvent': ['bpmn:MessageEventDefinition'],
  'bpmn:BoundaryEvent': ['bpmn:MessageEventDefinition', 'bpmn:TimerEventDefinition', 'bpmn:ErrorEventDefinition'],
};
const local = (type: string) => type.replace(/^bpmn:/, '');

/** Everything outside the tested subset: complex gateways, signals, escalations, compensation, DMN, ... */
const unsupportedElement: RuleFactory = () => ({
  check(node, reporter) {
    if (!(node.$type in SUPPORTED_EVENTS) && node.$type.startsWith('bpmn:') && isFlowElement(node) && !SUPPORTED_ELEMENTS.has(node.$type)) {
      reporter.report(node.id, `${local(node.$type)} is not supported by the embedded engine`);
      return;
    }
    const allowed = SUPPORTED_EVENTS[node.$type];
    if (!allowed) return;
    for (const def of eventDefinitions(node)) {
      if (!allowed.includes(def)) reporter.report(node.id, `A ${local(node.$type)} with a ${local(def)} is not supported by the embedded engine`);
    }
  },
});

function isFlowElement(node: Node): boolean {
  // flow nodes and flow-like artefacts sit in a process or subprocess; definitions, messages, errors ... do not
  const parent = node.$parent as Node | undefined;
  return !!parent && ['bpmn:Process', 'bpmn:SubProcess', 'bpmn:Transaction', 'bpmn:AdHocSubProcess'].includes(parent.$type)
    && Array.isArray(parent.flowElements) && (parent.flowElements as Node[]).includes(node);
}

export const OPENSPIS_RULES: Record<string, RuleFactory> = {
  'inclusive-gateway-join': inclusiveGatewayJoin,
  'event-subprocess': eventSubprocess,
  'timer-cycle-cron': timerCycleCron,
  'unsupported-element': unsupportedElement,
};

export const OPENSPIS_EMBEDDED_CONFIG = {
  rules: Object.fromEntries(Object.keys(OPENSPIS_RULES).map((name) => [name, 'error'])),
};
