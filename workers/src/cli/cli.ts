// `npm run cli -- <command>`: records administration on the configured database (DATABASE_URL, or
// the PGlite data directory of OPENSPIS_DATA_DIR — stop the app first, PGlite allows one process).
import os from 'node:os';
import { closeDb, createDb, migrate, readDbConfig } from '@openspis/db';
import { readWorkersConfig } from '../config';
import { COMMANDS } from './commands/index';
import { endQuietlyOnClosedPipe, helpText, runCli } from './run-cli';

endQuietlyOnClosedPipe(process.stdout);

async function main(): Promise<number> {
  const argv = process.argv.slice(2);
  if (!argv.length || argv[0] === '--help' || argv[0] === 'help') {
    console.log(helpText(COMMANDS));
    return argv.length ? 0 : 2;
  }
  const dbConfig = readDbConfig(process.env);
  const config = readWorkersConfig(process.env);
  const db = createDb(dbConfig);
  try {
    await migrate(db);
    return await runCli(COMMANDS, argv, {
      db,
      config,
      clock: () => new Date(),
      actor: { username: `system:cli:${os.userInfo().username}`.slice(0, 60), roles: ['admin'], orgUnit: null },
      out: (line) => console.log(line),
      err: (line) => console.error(line),
    });
  } finally {
    await closeDb(db);
  }
}

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  },
);
