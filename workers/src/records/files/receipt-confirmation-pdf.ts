import { renderPdf, type Block } from '../../documents/pdf-renderer';
import type { Locale, Translate } from '../../shared/templating';

/** What a confirmation of receipt states (vyhláška 259/2012 Sb. § 2). */
export interface ReceiptConfirmationContent {
  officeName: string;
  receivedAt: Date;
  issuedAt: Date;
  jid: string;
  referenceNumber: string | null;
  channel: string;
  sender: string | null;
  subject: string;
  /** the components the document arrived with, as stored: name, media type detected by content, exact size, SHA-256 */
  components: { fileName: string; mediaType: string; size: number; sha256: string }[];
}

const INTL: Record<Locale, string> = { cs: 'cs-CZ', en: 'en-GB', uk: 'uk-UA' };

/** The office's local time to the second with its offset from UTC, so the moment is unambiguous in any language. */
export function receiptDateTime(at: Date, locale: Locale): string {
  return new Intl.DateTimeFormat(INTL[locale], {
    timeZone: 'Europe/Prague', day: 'numeric', month: 'long', year: 'numeric', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23', timeZoneName: 'shortOffset',
  }).format(at);
}

/**
 * The confirmation of receipt as a one-page PDF/A-2b in the language of the submission: the office,
 * the date and time of receipt to the second, the JID and the reference number, how it arrived,
 * from whom and in what matter, and a table of the components received with their formats, exact
 * sizes and SHA-256 (so what was received can be proven file by file); the JID on every page as
 * text and QR code. Sealing is the caller's next step.
 */
export function renderReceiptConfirmationPdf(c: ReceiptConfirmationContent, locale: Locale, t: Translate): Promise<Buffer> {
  const bytes = new Intl.NumberFormat(INTL[locale]);
  const line = (label: string, value: string): Block => ({ kind: 't', text: `${label}: ${value}` });
  const blocks: Block[] = [
    { kind: 'title', text: t('receiptConfirmation.title') },
    { kind: 'gap' },
    { kind: 't', text: t('receiptConfirmation.intro', { officeName: c.officeName }) },
    { kind: 'gap' },
    line(t('receiptConfirmation.office'), c.officeName),
    line(t('receiptConfirmation.receivedAt'), receiptDateTime(c.receivedAt, locale)),
    line(t('receiptConfirmation.jid'), c.jid),
    ...(c.referenceNumber ? [line(t('receiptConfirmation.referenceNumber'), c.referenceNumber)] : []),
    line(t('receiptConfirmation.channel'), t(`receiptConfirmation.channels.${c.channel}`, { defaultValue: c.channel })),
    ...(c.sender ? [line(t('receiptConfirmation.sender'), c.sender)] : []),
    line(t('receiptConfirmation.subject'), c.subject),
    { kind: 'gap' },
    { kind: 'b', text: t('receiptConfirmation.components', { n: c.components.length }) },
  ];
  if (c.components.length === 0) blocks.push({ kind: 't', text: t('receiptConfirmation.noComponents') });
  else {
    blocks.push({
      kind: 'table',
      columns: [
        { title: t('receiptConfirmation.col.number'), width: 4 },
        { title: t('receiptConfirmation.col.fileName'), width: 30 },
        { title: t('receiptConfirmation.col.format'), width: 22 },
        { title: t('receiptConfirmation.col.size'), width: 12 },
        { title: t('receiptConfirmation.col.sha256'), width: 32 },
      ],
      rows: c.components.map((x, i) => [String(i + 1), x.fileName, x.mediaType, t('receiptConfirmation.size', { size: bytes.format(x.size) }), x.sha256]),
    });
  }
  blocks.push(
    { kind: 'gap' },
    { kind: 't', text: t('receiptConfirmation.issuedAt', { date: receiptDateTime(c.issuedAt, locale) }) },
    { kind: 'gap' },
    { kind: 'small', text: t('receiptConfirmation.legal') },
    { kind: 'small', text: t('receiptConfirmation.electronic') },
  );
  return renderPdf(blocks, { title: t('receiptConfirmation.title'), author: c.officeName, lang: INTL[locale], subject: t('receiptConfirmation.subjectMeta', { jid: c.jid }) }, {
    officeName: c.officeName,
    headerLines: [t('receiptConfirmation.header'), ...(c.referenceNumber ? [t('receiptConfirmation.headerReference', { referenceNumber: c.referenceNumber })] : [])],
    identifier: c.jid,
    identifierLine: t('receiptConfirmation.identifierLine', { jid: c.jid }),
    pageLabel: (page, pages) => t('receiptConfirmation.page', { page, pages }),
  });
}
