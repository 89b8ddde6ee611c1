import type { Variables } from '../port';

/**
 * Zeebe's variable scopes on top of bpmn-engine. The instance's `variables` are the root scope;
 * a subprocess with input mappings, a multi-instance body (its outputCollection) and each of its
 * iterations (inputElement, loopCounter, the outputElement variable) have a local scope, keyed by
 * the bpmn-engine execution id of that element and kept with the engine state. An element sees
 * the root, overlaid by every scope around it, the innermost last. A variable set from inside
 * (a job's or user task's result, a message's variables, a script result, an output mapping)
 * goes to the innermost scope around that already has it, else to the root (Zeebe's propagation).
 *
 * bpmn-engine's messages name the execution of a multi-instance body and of an event, but not
 * the subprocess execution an element runs in; that one is the execution whose start message
 * bpmn-engine put into the element's environment. `parents` keeps, for each subprocess, body and
 * iteration execution, the executions around it (innermost first), recorded when it starts.
 */
export interface Scopes {
  locals: Record<string, Variables>;
  parents: Record<string, string[]>;
}

export const noScopes = (): Scopes => ({ locals: {}, parents: {} });

/** the part of a bpmn-engine message content that names the executions around it */
export interface ScopeContent {
  executionId?: string;
  parent?: { executionId?: string };
}

/** an environment of bpmn-engine: its variables hold the start message of the (sub)process execution it belongs to */
export type ScopeEnvironment = { variables?: { content?: { executionId?: string } } } | undefined;

/** the executions around the (sub)process execution an environment belongs to, that one first */
export function aroundEnvironment(scopes: Scopes, env: ScopeEnvironment): string[] {
  const id = env?.variables?.content?.executionId;
  return id ? [id, ...(scopes.parents[id] ?? [])] : [];
}

/** the executions around a message's execution, innermost first (its own id not included) */
export function around(scopes: Scopes, content: ScopeContent | undefined, env: ScopeEnvironment): string[] {
  const direct = content?.parent?.executionId;
  if (direct && direct !== content?.executionId) {
    const known = scopes.parents[direct];
    return [direct, ...(known ?? aroundEnvironment(scopes, env))];
  }
  return aroundEnvironment(scopes, env);
}

/** the local variables of the given scopes (innermost first) merged, inner ones winning */
export function localsOf(scopes: Scopes, chain: string[]): Variables {
  let out: Variables | null = null;
  for (let i = chain.length - 1; i >= 0; i--) {
    const locals = scopes.locals[chain[i]];
    if (locals) out = { ...(out ?? {}), ...locals };
  }
  return out ?? {};
}

/** what an element inside the given scopes sees: the root overlaid by their locals */
export function viewOf(root: Variables, scopes: Scopes, chain: string[]): Variables {
  for (const id of chain) {
    if (scopes.locals[id]) return { ...root, ...localsOf(scopes, chain) };
  }
  return root;
}

/** Sets each variable in the innermost of the given scopes that has it, else in the root. */
export function propagate(root: Variables, scopes: Scopes, chain: string[], variables: Variables): void {
  for (const [name, value] of Object.entries(variables)) {
    const owner = chain.find((id) => scopes.locals[id] && Object.prototype.hasOwnProperty.call(scopes.locals[id], name));
    if (owner) scopes.locals[owner][name] = value;
    else root[name] = value;
  }
}

/** Forgets the scopes of executions that are over (only what still waits is still running). */
export function pruneScopes(scopes: Scopes, alive: Set<string>): void {
  for (const id of Object.keys(scopes.locals)) if (!alive.has(id)) delete scopes.locals[id];
  for (const id of Object.keys(scopes.parents)) if (!alive.has(id)) delete scopes.parents[id];
}

export function isEmpty(scopes: Scopes): boolean {
  return !Object.keys(scopes.locals).length && !Object.keys(scopes.parents).length;
}
