import type { CliCommand } from '../cli-command';
import { decisionImportCommand } from './decision-import.command';
import { demoCommand } from './demo.command';
import { dispatchDataBoxCommand } from './dispatch-data-box.command';
import { filesHoldCommand, filesReleaseCommand } from './files-hold.command';
import { filesListCommand } from './files-list.command';
import { filesReclassifyCommand } from './files-reclassify.command';
import { filesShareCommand, filesUnshareCommand } from './files-share.command';
import { filesTriggerCommand } from './files-trigger.command';
import { fileplanExportCommand } from './fileplan-export.command';
import { fileplanImportCommand } from './fileplan-import.command';
import { journalCloseYearCommand } from './journal-close-year.command';
import { logExportCommand } from './log-export.command';
import { logSealDayCommand } from './log-seal-day.command';
import { logVerifyCommand } from './log-verify.command';
import { sipExportCommand } from './sip-export.command';

/** Every command of `npm run cli`, one module each; add new ones here. */
export const COMMANDS: CliCommand[] = [
  demoCommand,
  fileplanExportCommand,
  fileplanImportCommand,
  logExportCommand,
  logVerifyCommand,
  filesListCommand,
  sipExportCommand,
  decisionImportCommand,
  logSealDayCommand,
  filesHoldCommand,
  filesReleaseCommand,
  filesTriggerCommand,
  filesReclassifyCommand,
  filesShareCommand,
  filesUnshareCommand,
  dispatchDataBoxCommand,
  journalCloseYearCommand,
];
