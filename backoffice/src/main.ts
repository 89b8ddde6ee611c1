// Composition root of the app process: database, engine (embedded or Zeebe), job workers and the
// back-office HTTP server (public API + clerk UI). `npm start` runs this via scripts/start.mjs.
import http from 'node:http';
import os from 'node:os';
import { closeDb, createDb, migrate, readDbConfig } from '@openspis/db';
import { createEmbeddedEngine, createZeebeEngine, deployProcessDirectory, readEngineConfig, startJobWorkers, type EnginePort } from '@openspis/engine';
import { checkServiceFilings, createIsdsClient, createJobHandlers, createMailTransport, createSealingPorts, readWorkersConfig, scheduleDataBoxDeliveries, scheduleDataBoxSends, scheduleJournalYearClosures, scheduleLogDaySeals, scheduleReceiptConfirmationSeals, pragueDay, seedRecordsDemo } from '@openspis/workers';
import { loadCatalogue } from './catalogue';
import { readServerConfig } from './config';
import { loadI18n } from './i18n';
import { createLogger } from './logger';
import { LOCALES_DIR, PROCESSES_DIR } from './paths';
import { scheduleOrphanSweep } from './public/submission-recovery';
import { DEMO_PASSWORD, DEMO_USERS, seedDemoUsers } from './seed/demo-users';
import { createServer } from './server';
import { buildClient } from './ui/build-client';

async function main(): Promise<void> {
  // configuration first: a bad variable stops the process before anything is opened
  const dbConfig = readDbConfig(process.env);
  const config = readServerConfig(process.env);
  const workersConfig = readWorkersConfig(process.env);
  const engineConfig = readEngineConfig(process.env);
  const log = createLogger(config.logLevel);
  const clock = () => new Date();

  const catalogue = loadCatalogue(PROCESSES_DIR);
  const i18n = loadI18n(LOCALES_DIR);
  await buildClient();

  const db = createDb(dbConfig);
  await migrate(db);
  // the embedded engine polls timers in this process; Zeebe runs them in the cluster
  const embedded = engineConfig.kind === 'embedded' ? createEmbeddedEngine({ db, log: log.child({ component: 'engine' }), clock }) : null;
  const engine: EnginePort = engineConfig.kind === 'zeebe' ? createZeebeEngine(engineConfig.zeebe) : embedded!;
  embedded?.start();
  log.info({ engine: engineConfig.kind }, 'engine selected');
  await deployProcessDirectory(engine, PROCESSES_DIR);
  // one seal key for the signing.seal jobs and the daily transaction-log seal, opened on first use
  const sealing = createSealingPorts(workersConfig);
  const workers = startJobWorkers(engine, createJobHandlers({ db, config: workersConfig, log: log.child({ component: 'workers' }), clock, sealing }), {
    workerName: `${os.hostname()}-${process.pid}`,
    jobTimeoutMs: workersConfig.jobTimeoutMs,
    log: log.child({ component: 'workers' }),
  });

  // submissions stored by a process that died before it could start their procedure
  const stopSweep = scheduleOrphanSweep({ db, engine, catalogue, clock, log: log.child({ component: 'submission-sweep' }) });

  const seeded = config.demoUsers ? await seedDemoUsers(db) : false;
  if (config.demoData && (await seedRecordsDemo({ db, clock, config: workersConfig }, { files: config.demoFiles }))) log.info('records demo data seeded');
  // a service whose filing (class, unit) is not valid today: its submissions would wait as incidents
  for (const problem of await checkServiceFilings(db, workersConfig.processesDir, catalogue.services.map((s) => s.code), pragueDay(clock()))) {
    log.warn(problem, 'service filing not valid today: its submissions become incidents until the file plan, the units or the catalogue entry is fixed');
  }
  // NSESSS: each finished day of the transaction log rendered and sealed (at start-up, then hourly; once
  // per day); started after the demo seed, which writes entries dated in the past
  const stopLogSeals = scheduleLogDaySeals({ db, clock, config: workersConfig, sealing }, log.child({ component: 'transaction-log-seal' }));
  // confirmations of receipt of portal submissions the procedure left without their sealed PDF (at start-up, then hourly)
  const stopReceiptSeals = scheduleReceiptConfirmationSeals({ db, clock, config: workersConfig, sealing }, log.child({ component: 'receipt-confirmation-seal' }));
  // the registry journal of each finished year closed (closing record, sealed PDF/A), at start-up and then hourly
  const stopJournalClosures = scheduleJournalYearClosures({ db, clock, config: workersConfig, sealing }, log.child({ component: 'journal-year-closure' }));
  // documents the registry office sends through the data box, and their delivery taken over from ISDS (only with ISDS_URL)
  const isds = workersConfig.isds;
  const isdsClient = isds ? createIsdsClient(isds) : null;
  const stopDataBox = isds && isdsClient
    ? scheduleDataBoxDeliveries({ db, clock, isds: isdsClient, notify: { config: workersConfig, transport: createMailTransport(workersConfig) }, trustAnchorsDir: workersConfig.trustAnchorsDir }, log.child({ component: 'data-box-deliveries' }), isds.pollIntervalMs)
    : async () => {};
  const stopDataBoxSends = isds && isdsClient
    ? scheduleDataBoxSends({ db, clock, isds: isdsClient }, log.child({ component: 'data-box-sends' }), isds.sendIntervalMs)
    : async () => {};

  const app = createServer({ db, engine, config, log, catalogue, clock, i18n, documents: workersConfig, workers: workersConfig });
  const server = http.createServer(app.callback());
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, resolve);
  });

  const lines = [
    `openspis back-office: ${config.publicBaseUrl}/login (listening on ${config.host}:${config.port})`,
    `public API:           ${config.publicBaseUrl}/api/public/v1/services`,
    `citizen portal:       ${config.portalUrl}`,
  ];
  if (config.demoUsers) {
    lines.push(`demo logins${seeded ? ' (just created)' : ''}: ${DEMO_USERS.map((u) => `${u.username} (${u.roles.join(', ')})`).join('; ')}, password "${DEMO_PASSWORD}"`);
  }
  console.log(lines.join('\n'));

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down');
    try {
      // stop taking requests, let running ones finish, then stop polling jobs, then the engine, then the database
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      });
      await stopSweep();
      await stopLogSeals();
      await stopReceiptSeals();
      await stopJournalClosures();
      await stopDataBox();
      await stopDataBoxSends();
      await workers.stop();
      await embedded?.stop();
      await sealing.close();
      await closeDb(db);
      process.exit(0);
    } catch (err) {
      log.error({ err }, 'unclean shutdown');
      process.exit(1);
    }
  };
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  process.once('SIGINT', () => void shutdown('SIGINT'));
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  if (err instanceof Error && err.cause) console.error(err.cause);
  process.exit(1);
});
