import type { WorkersConfig } from '../config';
import { toLocale } from '../shared/templating';
import { layoutDocument, readTemplateFixture, toTemplateData } from './document-template';
import type { Block } from './pdf-renderer';

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

function blockHtml(b: Block): string {
  switch (b.kind) {
    case 'title':
      return `<h2 class="doc-title">${escapeHtml(b.text)}</h2>`;
    case 'h':
      return `<h3 class="doc-h">${escapeHtml(b.text)}</h3>`;
    case 'center':
      return `<p class="doc-center">${escapeHtml(b.text)}</p>`;
    case 'r':
      return `<p class="doc-right">${escapeHtml(b.text)}</p>`;
    case 'b':
      return `<p class="doc-bold">${escapeHtml(b.text)}</p>`;
    case 't':
      return `<p class="doc-text">${escapeHtml(b.text)}</p>`;
    case 'small':
      return `<p class="doc-small">${escapeHtml(b.text)}</p>`;
    case 'gap':
      return '<div class="doc-gap"></div>';
    case 'hr':
      return '<hr class="doc-hr">';
    case 'page':
      return '<hr class="doc-page-break">';
    case 'table': {
      const head = b.columns.map((c) => `<th>${escapeHtml(c.title)}</th>`).join('');
      const rows = b.rows.map((r) => `<tr>${r.map((c) => `<td>${escapeHtml(c)}</td>`).join('')}</tr>`).join('');
      return `<table class="doc-table"><thead><tr>${head}</tr></thead><tbody>${rows}</tbody></table>`;
    }
  }
}

export const PREVIEW_LETTERHEAD = { referenceNumber: 'MMKV/123/2027', fileReference: 'S-MMKV/45/2027', jid: 'MMKV-0000000123' } as const;

/**
 * An HTML preview of a document template with its fixture data (`templates/fixtures/<name>.json`):
 * the same layout blocks the PDF renderer draws, as escaped HTML, between the running header and
 * footer every page gets. Sample numbers stand in for the reference number, file reference and JID.
 */
export function renderTemplatePreview(config: Pick<WorkersConfig, 'templatesDir' | 'localesDir' | 'officeName'>, input: { template: string; locale: string }): { title: string; html: string } {
  const fixture = readTemplateFixture(config, input.template);
  const locale = toLocale(input.locale);
  const letterhead = { officeName: config.officeName, ...PREVIEW_LETTERHEAD };
  const context = {
    date: new Intl.DateTimeFormat('cs-CZ', { dateStyle: 'long', timeZone: 'Europe/Prague' }).format(new Date()),
    subject: 'Zvláštní užívání chodníku v ulici Příčná',
    clerkName: 'Ing. Petr Šťastný',
    addresseeName: 'Jana Nováková',
    addresseeEmail: 'jana@example.cz',
    submittedOn: '2. března 2027',
    answerText: 'Vážená paní Nováková,\n\noprava chodníku je naplánována na jaro 2027.',
    ...(toTemplateData(fixture) as Record<string, unknown>),
  };
  const { blocks, marks, title } = layoutDocument(config, { template: input.template, locale, letterhead, context });
  const header = `<header class="doc-running-header"><strong>${escapeHtml(marks.officeName)}</strong><span>${marks.headerLines.map(escapeHtml).join('<br>')}</span></header>`;
  const footer = `<footer class="doc-running-footer"><span>${escapeHtml(marks.identifierLine)}<br>${escapeHtml(marks.pageLabel(1, 1))}</span><span class="doc-qr" aria-hidden="true">QR</span></footer>`;
  return { title, html: `<article class="doc-preview" lang="${locale}">${header}${blocks.map(blockHtml).join('\n')}${footer}</article>` };
}
