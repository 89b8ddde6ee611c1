import fs from 'node:fs';
import path from 'node:path';
import type { WorkersConfig } from '../config';
import { DomainError } from '../shared/domain-error';
import { createTranslate, renderTextTemplate, type Locale, type Translate } from '../shared/templating';
import { parseLayout, textBlockHelper, type Block, type PageMarks } from './pdf-renderer';

/**
 * A value of template data that spans several lines. Printed inline (`{{verdict}}`) it is one line,
 * so user text can never start a layout directive; `{{text verdict}}` prints its lines as text.
 */
export class MultiLine {
  constructor(readonly raw: string) {}
  toString(): string {
    return this.raw.replace(/\s*\r?\n\s*/g, ' ').trim();
  }
}

const MAX_DEPTH = 4;

/** Template data from a job or a fixture: strings trimmed, multi-line strings wrapped, depth limited. */
export function toTemplateData(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return /\r?\n/.test(value.trim()) ? new MultiLine(value.trim()) : value.trim();
  if (value === null || typeof value === 'number' || typeof value === 'boolean') return value;
  if (depth >= MAX_DEPTH) return undefined;
  if (Array.isArray(value)) return value.map((v) => toTemplateData(v, depth + 1));
  if (typeof value === 'object') return Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, toTemplateData(v, depth + 1)]));
  return undefined;
}

export const textHelper = (value: unknown) => textBlockHelper(value instanceof MultiLine ? value.raw : value);

/** Document templates are `templates/<name>.hbs` (kebab-case); e-mail templates live in `templates/email/`. */
export function documentTemplateFile(config: Pick<WorkersConfig, 'templatesDir'>, name: string): string {
  if (!/^[a-z0-9][a-z0-9-]*$/.test(name)) throw new DomainError('INVALID_INPUT', `header template ${JSON.stringify(name)} is not a template name`);
  const file = path.join(config.templatesDir, `${name}.hbs`);
  if (!fs.existsSync(file)) throw new DomainError('TEMPLATE_NOT_FOUND', `template ${name}.hbs does not exist`);
  return file;
}

export function listDocumentTemplates(config: Pick<WorkersConfig, 'templatesDir'>): string[] {
  return fs
    .readdirSync(config.templatesDir)
    .filter((f) => /^[a-z0-9][a-z0-9-]*\.hbs$/.test(f))
    .map((f) => f.slice(0, -4))
    .sort();
}

/** `templates/fixtures/<name>.json`: sample data for the preview and the tests. */
export function readTemplateFixture(config: Pick<WorkersConfig, 'templatesDir'>, name: string): Record<string, unknown> {
  const file = path.join(config.templatesDir, 'fixtures', `${path.basename(name)}.json`);
  return fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>) : {};
}

export interface Letterhead {
  officeName: string;
  referenceNumber: string;
  fileReference: string;
  jid: string;
}

/** Runs a document template: the layout blocks and the marks printed on every page. */
export function layoutDocument(
  config: Pick<WorkersConfig, 'templatesDir' | 'localesDir'>,
  input: { template: string; locale: Locale; letterhead: Letterhead; context: Record<string, unknown> },
): { blocks: Block[]; marks: PageMarks; title: string } {
  const file = documentTemplateFile(config, input.template);
  const t = createTranslate(config.localesDir, input.locale);
  const { letterhead } = input;
  const layout = renderTextTemplate(file, { ...input.context, ...letterhead }, t, { text: textHelper, inc: (n: unknown) => Number(n) + 1 });
  const marks: PageMarks = {
    officeName: letterhead.officeName,
    headerLines: [`${t('common.referenceNumber')} ${letterhead.referenceNumber}`, `${t('common.fileReference')} ${letterhead.fileReference}`],
    identifier: letterhead.jid,
    identifierLine: `JID: ${letterhead.jid}`,
    pageLabel: (page, pages) => t('common.page', { page, pages }),
  };
  return { blocks: parseLayout(layout), marks, title: `${documentKind(t, input.template)} ${letterhead.referenceNumber}` };
}

/** `documentKinds.<template>` of the i18n catalogue (e.g. „Rozhodnutí“), else the template name. */
export function documentKind(t: Translate, template: string): string {
  const key = `documentKinds.${template}`;
  const kind = t(key);
  return kind === key ? template : kind;
}
