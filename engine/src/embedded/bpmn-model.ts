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
  /** message catch (intermediate or boundary) */
  message?: { ref: string; name: string; correlationKey: string | null };
  /** for activities: error codes caught by attached error boundary events (`*` = catch-all) */
  caughtErrorCodes: string[];
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

function walk(container: ModdleEl, visit: (el: ModdleEl) => void): void {
  for (const el of (container.flowElements as ModdleEl[] | undefined) ?? []) {
    visit(el);
    if (el.flowElements) walk(el, visit);
  }
}

function elementModel(el: ModdleEl): ElementModel {
  const model: ElementModel = { id: el.id ?? '', type: el.$type, name: el.name ?? el.id ?? '', inputs: [], outputs: [], caughtErrorCodes: [] };
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
  if (messageRef && (el.$type === 'bpmn:BoundaryEvent' || el.$type === 'bpmn:IntermediateCatchEvent' || el.$type === 'bpmn:ReceiveTask')) {
    const sub = ext(messageRef, 'zeebe:Subscription');
    model.message = { ref: String(messageRef.id), name: String(messageRef.name ?? messageRef.id), correlationKey: (sub?.correlationKey as string | undefined) ?? null };
  }
  return model;
}

export async function parseBpmn(xml: string): Promise<ParsedBpmn> {
  const ctx = await moddle.fromXML(xml, 'bpmn:Definitions');
  const root = ctx.rootElement as unknown as ModdleEl;
  const elements = new Map<string, ElementModel>();
  const processes: ParsedBpmn['processes'] = [];
  const boundaries: ModdleEl[] = [];
  for (const p of (root.rootElements as ModdleEl[]).filter((r) => r.$type === 'bpmn:Process')) {
    processes.push({ id: String(p.id), name: String(p.name ?? p.id), executable: p.isExecutable !== false });
    walk(p, (el) => {
      if (!el.id || el.$type === 'bpmn:SequenceFlow') return;
      elements.set(el.id, elementModel(el));
      if (el.$type === 'bpmn:BoundaryEvent') boundaries.push(el);
    });
  }
  for (const b of boundaries) {
    const errorDef = ((b.eventDefinitions as ModdleEl[] | undefined) ?? []).find((d) => d.$type === 'bpmn:ErrorEventDefinition');
    const attached = elements.get(String((b.attachedToRef as ModdleEl | undefined)?.id));
    if (!errorDef || !attached) continue;
    const code = (errorDef.errorRef as ModdleEl | undefined)?.errorCode;
    attached.caughtErrorCodes.push(code ? String(code) : '*');
  }
  const warnings = (ctx.warnings ?? []).map((w: { message?: string }) => String(w.message ?? w));
  return { moddleContext: ctx, processes, elements, warnings };
}
