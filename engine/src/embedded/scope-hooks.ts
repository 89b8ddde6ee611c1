import type { Variables } from '../port';
import type { ElementModel } from './bpmn-model';
import { evaluateFeel } from './feel';
import { around, aroundEnvironment, propagate, viewOf, type ScopeContent, type ScopeEnvironment, type Scopes } from './variable-scopes';

type Content = ScopeContent & { id?: string; executionId: string; isRootScope?: boolean; isMultiInstance?: boolean; index?: number; loopCardinality?: number; [k: string]: unknown };
type Msg = { content: Content; fields?: { redelivered?: boolean } };
interface ScopedActivity {
  environment: ScopeEnvironment;
  broker: { subscribeTmp(exchange: string, pattern: string, fn: (key: string, msg: Msg) => void, opts: object): void };
}

const feel = (expression: string, scope: Variables) => evaluateFeel(expression.replace(/^=/, ''), scope);

/** the variable a plain `=name` outputElement reads: Zeebe makes it a local (null) of each iteration */
function outputVariable(outputElement: string | null): string | null {
  const m = /^=?\s*([A-Za-z_][A-Za-z0-9_]*)\s*$/.exec(outputElement ?? '');
  return m ? m[1] : null;
}

/** Evaluates the mappings in `scope`, each seeing those before it. */
function mapped(mappings: { source: string; target: string }[], scope: Variables): Variables {
  const out: Variables = {};
  for (const m of mappings) out[m.target] = feel(m.source, { ...scope, ...out });
  return out;
}

/** an iteration that started before scopes were kept: its locals are only in bpmn-engine's message */
export function legacyIterationLocals(mi: NonNullable<ElementModel['multiInstance']>, c: { index?: unknown; [k: string]: unknown }): Variables {
  return { loopCounter: Number(c.index) + 1, ...(mi.inputElement ? { [mi.inputElement]: c[mi.inputElement] ?? null } : {}) };
}

/**
 * Opens and closes the local scopes of a subprocess or multi-instance activity as bpmn-engine runs
 * it (see variable-scopes): a multi-instance body keeps its outputCollection, each iteration its
 * inputElement, loopCounter and outputElement variable (and a subprocess's input mappings); a
 * subprocess's input mappings are its locals, its output mappings set variables around it when it
 * completes. Handlers run before bpmn-engine's own (priority), so the next element already sees
 * the result. A start bpmn-engine delivers again after a recover is skipped: it is in the stored scopes.
 */
export function attachScopes(activity: ScopedActivity, model: ElementModel, state: { vars: () => Variables; scopes: () => Scopes }): void {
  const mi = model.multiInstance;
  const isSub = model.type === 'bpmn:SubProcess';
  if (!mi && !isSub) return;
  const subInputs = isSub ? model.inputs : [];
  const subOutputs = isSub ? model.outputs : [];
  const isIteration = (c: Content) => !!mi && c.isMultiInstance === true && !c.isRootScope && typeof c.index === 'number';
  const outside = (scopes: Scopes) => aroundEnvironment(scopes, activity.environment);

  /** a body's scope: its output collection, all null until the iterations fill it */
  const openBody = (scopes: Scopes, bodyId: string, count: number | null) => {
    scopes.parents[bodyId] ??= outside(scopes);
    if (!mi?.outputCollection || scopes.locals[bodyId]) return;
    let n = count;
    if (n === null) {
      const items = feel(mi.inputCollection, viewOf(state.vars(), scopes, scopes.parents[bodyId]));
      n = Array.isArray(items) ? items.length : 0;
    }
    scopes.locals[bodyId] = { [mi.outputCollection]: new Array(n).fill(null) };
  };

  activity.broker.subscribeTmp('execution', 'execute.start', (_key, msg) => {
    const c = msg.content;
    if (msg.fields?.redelivered || c.id !== model.id) return;
    const scopes = state.scopes();
    if (mi && c.isRootScope) return openBody(scopes, c.executionId, null);
    let locals: Variables = {};
    if (isIteration(c)) {
      const body = c.parent?.executionId;
      if (body) openBody(scopes, body, typeof c.loopCardinality === 'number' ? c.loopCardinality : null);
      scopes.parents[c.executionId] = body ? [body, ...(scopes.parents[body] ?? [])] : outside(scopes);
      locals.loopCounter = Number(c.index) + 1;
      if (mi!.inputElement) locals[mi!.inputElement] = c[mi!.inputElement] ?? null;
      const out = outputVariable(mi!.outputElement);
      if (out && !(out in locals)) locals[out] = null;
    } else if (mi || !c.isRootScope) return;
    else scopes.parents[c.executionId] = outside(scopes);
    if (subInputs.length) locals = { ...locals, ...mapped(subInputs, { ...viewOf(state.vars(), scopes, scopes.parents[c.executionId]), ...locals }) };
    if (Object.keys(locals).length) scopes.locals[c.executionId] = locals;
  }, { noAck: true, priority: 1000 });

  activity.broker.subscribeTmp('execution', 'execute.completed', (_key, msg) => {
    const c = msg.content;
    if (c.id !== model.id) return;
    const scopes = state.scopes();
    const vars = state.vars();
    if (mi && c.isRootScope) {
      // the body is done: its output collection goes to the scopes around it
      const own = scopes.locals[c.executionId];
      if (mi.outputCollection && own) propagate(vars, scopes, scopes.parents[c.executionId] ?? outside(scopes), { [mi.outputCollection]: own[mi.outputCollection] });
      delete scopes.locals[c.executionId];
      return;
    }
    if (mi ? !isIteration(c) : !c.isRootScope) return;
    const chain = [c.executionId, ...(scopes.parents[c.executionId] ?? around(scopes, c, activity.environment))];
    const legacy = mi && !scopes.locals[c.executionId] ? legacyIterationLocals(mi, c) : {};
    const view = { ...viewOf(vars, scopes, chain), ...legacy };
    if (subOutputs.length) propagate(vars, scopes, chain.slice(1), mapped(subOutputs, view));
    if (mi?.outputCollection && mi.outputElement) {
      // the iteration's outputElement at its index of the body's output collection
      const target = scopes.locals[chain[1]] ?? vars; // a body started before scopes were kept has it in the root
      const current = target[mi.outputCollection];
      const list = Array.isArray(current) && current.length === c.loopCardinality ? [...current] : new Array(c.loopCardinality ?? Number(c.index) + 1).fill(null);
      list[Number(c.index)] = feel(mi.outputElement, view);
      target[mi.outputCollection] = list;
    }
    delete scopes.locals[c.executionId];
  }, { noAck: true, priority: 1000 });
}
