// The one place this workspace reaches into the engine workspace for the port (types only, erased
// at run time).
import type { EngineErrorCode } from '@openspis/engine';

export type { EnginePort, UserTask, UserTaskFilter, Variables, ProcessInstance, EngineErrorCode } from '@openspis/engine';

/** true for an `EngineError` with that code (checked by shape: the class is not imported at run time) */
export function isEngineError(err: unknown, code?: EngineErrorCode): boolean {
  return err instanceof Error && err.name === 'EngineError' && (code === undefined || (err as { code?: unknown }).code === code);
}
