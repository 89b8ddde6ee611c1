import type { CliCommand } from '../cli-command';
import { demoCommand } from './demo.command';
import { filesListCommand } from './files-list.command';
import { fileplanExportCommand } from './fileplan-export.command';
import { fileplanImportCommand } from './fileplan-import.command';
import { logExportCommand } from './log-export.command';
import { logVerifyCommand } from './log-verify.command';

/** Every command of `npm run cli`, one module each; add new ones here. */
export const COMMANDS: CliCommand[] = [
  demoCommand,
  fileplanExportCommand,
  fileplanImportCommand,
  logExportCommand,
  logVerifyCommand,
  filesListCommand,
];
