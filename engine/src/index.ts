export * from './port';
export { createEmbeddedEngine, type EmbeddedEngine, type EmbeddedEngineOptions } from './embedded/embedded-engine';
export { deployProcessDirectory } from './deploy-process-directory';
export { startJobWorkers, type JobWorkersOptions } from './job-workers';
export { readEngineConfig, type EngineConfig } from './engine-config';
export { createZeebeEngine } from './zeebe/zeebe-engine';
export { readZeebeConfig, type ZeebeConfig } from './zeebe/rest-client';
