export * from './port';
export { createEmbeddedEngine, type EmbeddedEngine, type EmbeddedEngineOptions } from './embedded/embedded-engine';
export { deployProcessDirectory } from './deploy-process-directory';
export { startJobWorkers, type JobWorkersOptions } from './job-workers';
