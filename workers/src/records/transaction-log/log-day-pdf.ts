import type { AuditRow } from '@openspis/db';
import { renderPdf, type Block } from '../../documents/pdf-renderer';
import type { Translate } from '../../shared/templating';

export interface LogDaySummary {
  day: string;
  officeName: string;
  from: Date;
  to: Date;
  /** chain value before the day's first entry and after its last */
  hashBefore: string;
  hashAfter: string;
  xml: { fileName: string; sha256: string };
}

const time = new Intl.DateTimeFormat('cs-CZ', { timeZone: 'Europe/Prague', hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false });

function detailsText(details: unknown): string {
  const value = typeof details === 'string' ? JSON.parse(details) : details;
  if (!value || typeof value !== 'object' || Object.keys(value).length === 0) return '';
  const text = JSON.stringify(value);
  return text.length > 400 ? `${text.slice(0, 399)}…` : text;
}

/**
 * The day's transaction log as a PDF/A-2b for people: a header with the office, the period, the
 * number of entries and the chain values around the day, the SHA-256 of the machine-readable XML
 * rendering (so the seal on the PDF covers it too), then one line per entry in log order.
 */
export function renderLogDayPdf(rows: AuditRow[], s: LogDaySummary, t: Translate): Promise<Buffer> {
  const blocks: Block[] = [
    { kind: 'title', text: t('transactionLog.title', { day: s.day }) },
    { kind: 't', text: t('transactionLog.office', { officeName: s.officeName }) },
    { kind: 't', text: t('transactionLog.period', { from: s.from.toISOString(), to: s.to.toISOString() }) },
    { kind: 't', text: t('transactionLog.events', { count: rows.length }) },
  ];
  if (rows.length) blocks.push({ kind: 't', text: t('transactionLog.range', { first: String(rows[0].id), last: String(rows[rows.length - 1].id) }) });
  blocks.push(
    { kind: 'small', text: t('transactionLog.hashBefore', { hash: s.hashBefore }) },
    { kind: 'small', text: t('transactionLog.hashAfter', { hash: s.hashAfter }) },
    { kind: 'small', text: t('transactionLog.xml', { fileName: s.xml.fileName, sha256: s.xml.sha256 }) },
    { kind: 'hr' },
  );
  if (!rows.length) blocks.push({ kind: 't', text: t('transactionLog.noEvents') });
  else blocks.push({ kind: 'b', text: t('transactionLog.columns') });
  // one text block per 50 entries: pdfkit's cost is mostly per block, not per line
  for (let i = 0; i < rows.length; i += 50) {
    const lines = rows.slice(i, i + 50).map((r) => {
      const details = detailsText(r.details);
      return `${r.id} · ${time.format(new Date(r.occurred_at))} · ${r.actor} · ${r.event_type} · ${r.object_type} · ${r.object_id}${details ? ` · ${details}` : ''}`;
    });
    blocks.push({ kind: 'small', text: lines.join('\n') });
  }
  return renderPdf(blocks, { title: t('transactionLog.title', { day: s.day }), author: s.officeName, lang: 'cs-CZ', subject: t('transactionLog.subject') }, {
    officeName: s.officeName,
    headerLines: [t('transactionLog.header'), t('transactionLog.headerDay', { day: s.day })],
    identifier: `TrP:${s.day}:${s.hashAfter}`,
    identifierLine: t('transactionLog.identifierLine', { day: s.day, hash: s.hashAfter.slice(0, 16) }),
    pageLabel: (page, pages) => t('transactionLog.page', { page, pages }),
  });
}
