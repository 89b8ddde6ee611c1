import { Engine } from 'bpmn-engine';

const silent = { debug() {}, error() {}, warn() {} };
const silentLogger = () => silent;
const compiled = new WeakMap<object, unknown>();

/**
 * A parsed definition in the form bpmn-engine runs it from (its "serialized context", the
 * `sourceContext` option), made once per moddle context instead of once per engine object: it is
 * only read (each element copies its behaviour), and making it is a good part of what a new engine
 * object costs. bpmn-engine makes it with its own type resolver when given a moddle context; that
 * one is taken from a template object. Undefined if this bpmn-engine keeps it elsewhere (then every
 * engine object makes its own from the moddle context, as before).
 *
 * The embedded engine and the in-memory ceiling of `npm run bench:engine` both use it, so the
 * ceiling runs bpmn-engine the way the adapter does.
 */
export function compiledContext(moddleContext: unknown): unknown {
  const key = moddleContext as object;
  if (compiled.has(key)) return compiled.get(key);
  const template = new Engine({ moddleContext, Logger: silentLogger } as unknown as ConstructorParameters<typeof Engine>[0]);
  const pending = (template as unknown as Record<symbol, Set<unknown> | undefined>)[Symbol.for('pending sources')];
  const [context] = pending instanceof Set && pending.size === 1 ? pending : [undefined];
  compiled.set(key, context);
  return context;
}

/** The Engine options that give it a definition: the compiled context when there is one. */
export function definitionOptions(moddleContext: unknown): { sourceContext: unknown } | { moddleContext: unknown } {
  const sourceContext = compiledContext(moddleContext);
  return sourceContext ? { sourceContext } : { moddleContext };
}
