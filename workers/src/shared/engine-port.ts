// The one place this workspace reaches into the engine workspace (types only, erased at run time).
export type { ActivatedJob, JobHandler, JobLogger, JobOutcome, Variables } from '@openspis/engine';
