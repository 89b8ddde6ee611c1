import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));

/** Folders the back-office reads at start-up, relative to the repository. */
export const REPO_ROOT = path.resolve(here, '../..');
export const LOCALES_DIR = path.join(REPO_ROOT, 'i18n/locales');
export const PROCESSES_DIR = path.join(REPO_ROOT, 'processes');
export const BACKOFFICE_DIR = path.resolve(here, '..');
export const PUBLIC_DIR = path.join(BACKOFFICE_DIR, 'public');
export const VIEWS_DIR = path.join(here, 'ui/views');
