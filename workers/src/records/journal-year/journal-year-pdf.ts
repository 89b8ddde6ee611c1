import { renderPdf, type Block, type TableBlock } from '../../documents/pdf-renderer';
import type { Translate } from '../../shared/templating';
import type { JournalYearEntry } from './journal-year.repository';

/** What the closing record (uzavírací záznam) at the end of the rendering says; known once every row has been read. */
export interface JournalYearTally {
  entries: number;
  states: Record<string, number>;
  lastSeq: number | null;
}

const dateTime = new Intl.DateTimeFormat('cs-CZ', { timeZone: 'Europe/Prague', day: 'numeric', month: 'numeric', year: 'numeric', hour: '2-digit', minute: '2-digit', hour12: false });
const date = new Intl.DateTimeFormat('cs-CZ', { timeZone: 'Europe/Prague', day: 'numeric', month: 'numeric', year: 'numeric' });
const at = (value: Date | string | null) => (value ? dateTime.format(new Date(value)) : '');
const day = (value: Date | string | null) => (value ? date.format(new Date(value)) : '');

function cells(r: JournalYearEntry, t: Translate): string[] {
  const number = r.order_in_file > 1 ? `${r.seq}/${r.order_in_file}` : String(r.seq);
  const party = r.direction === 'incoming' ? r.sender : r.addressee ?? r.sender;
  const attachments = [t('journalYear.attachments', { count: r.attachments_count, components: r.components_count }), r.attachments_kind ?? ''].filter(Boolean).join(' · ');
  const retention = r.class_code ? `${r.class_code}${r.disposal_code ? ` ${r.disposal_code}/${r.retention_years ?? ''}` : ''}` : '';
  const settlement = r.state === 'cancelled'
    ? t('journalYear.cancelled', { at: day(r.cancelled_at) })
    : r.settled_at ? `${day(r.settled_at)} ${r.settlement_method ? t(`journalYear.method.${r.settlement_method}`, { defaultValue: r.settlement_method }) : ''}`.trim() : '';
  const dispatch = [r.dispatched_at ? t('journalYear.dispatched', { at: day(r.dispatched_at) }) : '', r.delivered_at ? t('journalYear.delivered', { at: day(r.delivered_at) }) : ''].filter(Boolean).join('\n');
  return [
    `${number}\n${r.jid}`,
    r.reference_number + (r.sender_reference ? `\n${t('journalYear.senderReference', { reference: r.sender_reference })}` : ''),
    `${at(r.received_at)}\n${t(`journalYear.direction.${r.direction}`, { defaultValue: r.direction })}`,
    party,
    r.subject,
    attachments,
    [r.org_unit, r.handled_by].filter(Boolean).join('\n'),
    retention,
    settlement,
    dispatch,
  ];
}

/**
 * The year's registry journal as a landscape PDF/A-2b: a header, one table row per entry with the
 * columns the journal must have (vyhláška 259/2012 Sb., § 10 and annex), and at the end the closing
 * record — the last running number, the count of entries by state, the date and who closed it. The
 * rows come in batches (`pages`), so the table is drawn as they are read; `tally` is filled while
 * reading and printed at the end.
 */
export function renderJournalYearPdf(
  pages: AsyncIterable<JournalYearEntry[]>,
  s: { year: number; officeName: string; office: string; closedAt: Date; closedBy: string },
  t: Translate,
): { pdf: Promise<Buffer>; tally: JournalYearTally } {
  const tally: JournalYearTally = { entries: 0, states: {}, lastSeq: null };
  const columns: TableBlock['columns'] = [
    { title: t('journalYear.col.number'), width: 9 },
    { title: t('journalYear.col.reference'), width: 11 },
    { title: t('journalYear.col.received'), width: 9 },
    { title: t('journalYear.col.party'), width: 12 },
    { title: t('journalYear.col.subject'), width: 17 },
    { title: t('journalYear.col.attachments'), width: 8 },
    { title: t('journalYear.col.handler'), width: 8 },
    { title: t('journalYear.col.class'), width: 7 },
    { title: t('journalYear.col.settlement'), width: 10 },
    { title: t('journalYear.col.dispatch'), width: 9 },
  ];
  async function* blocks(): AsyncGenerator<Block> {
    yield { kind: 'title', text: t('journalYear.title', { year: s.year }) };
    yield { kind: 't', text: t('journalYear.office', { officeName: s.officeName }) };
    yield { kind: 't', text: t('journalYear.period', { year: s.year }) };
    yield { kind: 'hr' };
    for await (const rows of pages) {
      for (const r of rows) {
        tally.entries++;
        tally.states[r.state] = (tally.states[r.state] ?? 0) + 1;
        tally.lastSeq = Math.max(tally.lastSeq ?? 0, Number(r.seq));
      }
      yield { kind: 'table', columns, rows: rows.map((r) => cells(r, t)) };
    }
    if (!tally.entries) yield { kind: 't', text: t('journalYear.noEntries') };
    yield { kind: 'gap' };
    yield { kind: 'h', text: t('journalYear.closing') };
    yield { kind: 't', text: t('journalYear.closingText', { year: s.year, date: at(s.closedAt), lastSeq: tally.lastSeq ?? '–', count: tally.entries }) };
    yield { kind: 't', text: t('journalYear.states', { registered: tally.states.registered ?? 0, settled: tally.states.settled ?? 0, cancelled: tally.states.cancelled ?? 0 }) };
    yield { kind: 't', text: t('journalYear.closedBy', { actor: s.closedBy }) };
  }
  const pdf = renderPdf(blocks(), { title: t('journalYear.title', { year: s.year }), author: s.officeName, lang: 'cs-CZ', subject: t('journalYear.subject'), landscape: true }, {
    officeName: s.officeName,
    headerLines: [t('journalYear.header'), t('journalYear.headerYear', { year: s.year })],
    identifier: `Denik:${s.office}:${s.year}`,
    identifierLine: t('journalYear.identifierLine', { office: s.office, year: s.year }),
    pageLabel: (page, pages) => t('journalYear.page', { page, pages }),
    // a year may have a hundred thousand entries: pages are written out as they are finished
    streamedPageLabel: (page) => t('journalYear.pageOnly', { page }),
  });
  return { pdf, tally };
}
