import { BpmnModdle } from 'bpmn-moddle';
import zeebeSchema from 'zeebe-bpmn-moddle/resources/zeebe.json' with { type: 'json' };

/**
 * What the embedded engine needs to know about each element, read once from the zeebe-aware moddle.
 * bpmn-engine's serializer drops zeebe extension elements (and message correlation keys), so
 * everything zeebe-specific is taken from here, never from bpmn-engine.
 */
export interface Mapping { source: string; target: string }

export interface ElementModel {
  id: string;
  type: string;
  name: string;
  /** type and retries as written (FEEL when they start with `=`) */
  job?: { type: string; retries: string; headers: Record<string, string> };
  inputs: Mapping[];
  outputs: Mapping[];
  userTask?: {
    formId: string | null;
    assignee: string | null;
    candidateGroups: string | null;
    candidateUsers: string | null;
    dueDate: string | null;
    followUpDate: string | null;
    priority: string | null;
  };
  /** a timer catch (intermediate or boundary, or the start event of an event subprocess): it waits with a timer row */
  timer?: boolean;
  /** message catch (intermediate or boundary) */
  message?: { ref: string; name: string; correlationKey: string | null };
  /** for activities: error codes caught by attached error boundary events (`*` = catch-all) */
  caughtErrorCodes: string[];
  /** `zeebe:script`: a FEEL expression whose value goes into resultVariable */
  script?: { expression: string; resultVariable: string | null };
  /** `zeebe:loopCharacteristics` of a multi-instance activity */
  multiInstance?: { sequential: boolean; inputCollection: string; inputElement: string | null; outputCollection: string | null; outputElement: string | null };
  /** `zeebe:calledElement` of a call activity */
  calledElement?: { processId: string; propagateAllChildVariables: boolean };
  /** a start event: how it is triggered */
  start?: { kind: 'NONE' | 'MESSAGE' | 'TIMER'; messageName?: string; timer?: { timeDate: string | null; timeDuration: string | null; timeCycle: string | null } };
  /** id of the subprocess (or null for the process) the element sits in */
  parentId: string | null;
  /** an error end event; `caught` when an error boundary event of an enclosing subprocess catches its code */
  errorThrow?: { code: string; caught: boolean };
}

export interface ParsedBpmn {
  // the moddle context, handed to bpmn-engine as is (it is read-only there)
  moddleContext: unknown;
  processes: { id: string; name: string; executable: boolean }[];
  elements: Map<string, ElementModel>;
  warnings: string[];
}

// moddle elements are dynamically typed; this is the small part we read
interface ModdleEl {
  $type: string;
  id?: string;
  name?: string;
  [key: string]: unknown;
}

const moddle = new BpmnModdle({ zeebe: zeebeSchema });

export function createZeebeModdle(): BpmnModdle {
  return new BpmnModdle({ zeebe: zeebeSchema });
}

function ext(el: ModdleEl, type: string): ModdleEl | undefined {
  const values = (el.extensionElements as { values?: ModdleEl[] } | undefined)?.values ?? [];
  return values.find((v) => v.$type === type);
}

function mappings(list: unknown): Mapping[] {
  return ((list as ModdleEl[] | undefined) ?? []).map((p) => ({ source: String(p.source ?? ''), target: String(p.target ?? '') }));
}

function walk(container: ModdleEl, visit: (el: ModdleEl, parentId: string | null, container: ModdleEl) => void, parentId: string | null = null): void {
  for (const el of [...((container.flowElements as ModdleEl[] | undefined) ?? [])]) {
    visit(el, parentId, container);
    if (el.flowElements) walk(el, visit, el.id ?? null);
  }
}

const body = (v: unknown) => ((v as { body?: string } | undefined)?.body ?? null);

function elementModel(el: ModdleEl, parentId: string | null): ElementModel {
  const model: ElementModel = { id: el.id ?? '', type: el.$type, name: el.name ?? el.id ?? '', inputs: [], outputs: [], caughtErrorCodes: [], parentId };
  const script = ext(el, 'zeebe:Script');
  if (script?.expression) model.script = { expression: String(script.expression), resultVariable: (script.resultVariable as string | undefined) ?? null };
  const loop = el.loopCharacteristics as ModdleEl | undefined;
  const zeebeLoop = loop && ext(loop, 'zeebe:LoopCharacteristics');
  if (loop && zeebeLoop) {
    model.multiInstance = {
      sequential: loop.isSequential === true,
      inputCollection: String(zeebeLoop.inputCollection ?? ''),
      inputElement: (zeebeLoop.inputElement as string | undefined) ?? null,
      outputCollection: (zeebeLoop.outputCollection as string | undefined) ?? null,
      outputElement: (zeebeLoop.outputElement as string | undefined) ?? null,
    };
    // bpmn-engine iterates over `collection` and exposes each item under `elementVariable` (its
    // own attribute names); the serializer copies own properties of the moddle element
    loop.collection = model.multiInstance.inputCollection;
    loop.elementVariable = model.multiInstance.inputElement ?? '__item';
  }
  const called = ext(el, 'zeebe:CalledElement');
  if (el.$type === 'bpmn:CallActivity' && called) {
    model.calledElement = { processId: String(called.processId ?? ''), propagateAllChildVariables: called.propagateAllChildVariables !== false && called.propagateAllChildVariables !== 'false' };
  }
  const taskDef = ext(el, 'zeebe:TaskDefinition');
  if (taskDef) {
    const headers: Record<string, string> = {};
    for (const h of ((ext(el, 'zeebe:TaskHeaders')?.values as ModdleEl[] | undefined) ?? [])) headers[String(h.key)] = String(h.value ?? '');
    model.job = { type: String(taskDef.type ?? ''), retries: String(taskDef.retries ?? '3'), headers };
  }
  const io = ext(el, 'zeebe:IoMapping');
  if (io) {
    model.inputs = mappings(io.inputParameters);
    model.outputs = mappings(io.outputParameters);
  }
  if (el.$type === 'bpmn:UserTask') {
    const assignment = ext(el, 'zeebe:AssignmentDefinition');
    const schedule = ext(el, 'zeebe:TaskSchedule');
    const str = (v: unknown) => (v === undefined || v === null || v === '' ? null : String(v));
    model.userTask = {
      formId: str(ext(el, 'zeebe:FormDefinition')?.formId),
      assignee: str(assignment?.assignee),
      candidateGroups: str(assignment?.candidateGroups),
      candidateUsers: str(assignment?.candidateUsers),
      dueDate: str(schedule?.dueDate),
      followUpDate: str(schedule?.followUpDate),
      priority: str(ext(el, 'zeebe:PriorityDefinition')?.priority),
    };
  }
  const defs = (el.eventDefinitions as ModdleEl[] | undefined) ?? [];
  const messageDef = defs.find((d) => d.$type === 'bpmn:MessageEventDefinition');
  const messageRef = messageDef?.messageRef as ModdleEl | undefined;
  const timerDef = defs.find((d) => d.$type === 'bpmn:TimerEventDefinition');
  if (timerDef) model.timer = true;
  if (el.$type === 'bpmn:StartEvent' && parentId === null) {
    if (messageRef) model.start = { kind: 'MESSAGE', messageName: String(messageRef.name ?? messageRef.id) };
    else if (timerDef) model.start = { kind: 'TIMER', timer: { timeDate: body(timerDef.timeDate), timeDuration: body(timerDef.timeDuration), timeCycle: body(timerDef.timeCycle) } };
    else model.start = { kind: 'NONE' };
  }
  const receiveRef = el.$type === 'bpmn:ReceiveTask' ? (el.messageRef as ModdleEl | undefined) : messageRef;
  if (receiveRef && (el.$type === 'bpmn:BoundaryEvent' || el.$type === 'bpmn:IntermediateCatchEvent' || el.$type === 'bpmn:ReceiveTask')) {
    const messageRef = receiveRef;
    const sub = ext(messageRef, 'zeebe:Subscription');
    model.message = { ref: String(messageRef.id), name: String(messageRef.name ?? messageRef.id), correlationKey: (sub?.correlationKey as string | undefined) ?? null };
  }
  return model;
}

/**
 * Zeebe runs a message end or throw event with a task definition as a job; bpmn-engine would just
 * publish the message and move on. For execution such events become service tasks (never for
 * linting: deploy checks the diagram as drawn).
 */
function runAsJob(el: ModdleEl, container: ModdleEl, ctx: { elementsById: Record<string, unknown> }): void {
  // moddle's $type cannot be changed: swap in a service task with the same id, flows and extensions
  const task = moddle.create('bpmn:ServiceTask', { id: el.id, name: el.name, incoming: el.incoming, outgoing: el.outgoing, extensionElements: el.extensionElements });
  const list = container.flowElements as ModdleEl[];
  list[list.indexOf(el)] = task as unknown as ModdleEl;
  ctx.elementsById[el.id!] = task;
}

export async function parseBpmn(xml: string, opts: { forEngine?: boolean } = {}): Promise<ParsedBpmn> {
  const ctx = await moddle.fromXML(xml, 'bpmn:Definitions');
  const root = ctx.rootElement as unknown as ModdleEl;
  const elements = new Map<string, ElementModel>();
  const processes: ParsedBpmn['processes'] = [];
  const boundaries: ModdleEl[] = [];
  const errorEnds = new Map<string, string>();
  for (const p of (root.rootElements as ModdleEl[]).filter((r) => r.$type === 'bpmn:Process')) {
    processes.push({ id: String(p.id), name: String(p.name ?? p.id), executable: p.isExecutable !== false });
    walk(p, (el, parentId, container) => {
      if (!el.id || el.$type === 'bpmn:SequenceFlow') return;
      const model = elementModel(el, parentId);
      elements.set(el.id, model);
      if (opts.forEngine && model.job && (el.$type === 'bpmn:EndEvent' || el.$type === 'bpmn:IntermediateThrowEvent')) runAsJob(el, container, ctx);
      if (el.$type === 'bpmn:BoundaryEvent') boundaries.push(el);
      const errorDef = el.$type === 'bpmn:EndEvent' && ((el.eventDefinitions as ModdleEl[] | undefined) ?? []).find((d) => d.$type === 'bpmn:ErrorEventDefinition');
      if (errorDef) errorEnds.set(el.id, String((errorDef.errorRef as ModdleEl | undefined)?.errorCode ?? ''));
    });
  }
  for (const b of boundaries) {
    const errorDef = ((b.eventDefinitions as ModdleEl[] | undefined) ?? []).find((d) => d.$type === 'bpmn:ErrorEventDefinition');
    const attached = elements.get(String((b.attachedToRef as ModdleEl | undefined)?.id));
    if (!errorDef || !attached) continue;
    const code = (errorDef.errorRef as ModdleEl | undefined)?.errorCode;
    attached.caughtErrorCodes.push(code ? String(code) : '*');
  }
  for (const model of elements.values()) {
    if (model.type !== 'bpmn:EndEvent' || !errorEnds.has(model.id)) continue;
    const code = errorEnds.get(model.id)!;
    let caught = false;
    for (let parent = model.parentId; parent && !caught; parent = elements.get(parent)?.parentId ?? null) {
      caught = elements.get(parent)?.caughtErrorCodes.some((c) => c === '*' || c === code) ?? false;
    }
    model.errorThrow = { code, caught };
  }
  const warnings = (ctx.warnings ?? []).map((w: { message?: string }) => String(w.message ?? w));
  return { moddleContext: ctx, processes, elements, warnings };
}
