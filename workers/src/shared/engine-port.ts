// The one place this workspace reaches into the engine workspace (types only, erased at run time).
// If @openspis/engine gains an `exports` map, change this line to import from its entry point.
export type { ActivatedJob, JobHandler, JobLogger, JobOutcome, Variables } from '@openspis/engine/src/port';
