import { intlLocale, type Language } from './language';

// Dates, sizes and fees as the citizen reads them.

export function formatDateTime(iso: string | null | undefined, lang: Language): string {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return new Intl.DateTimeFormat(intlLocale(lang), { dateStyle: 'long', timeStyle: 'short', timeZone: 'Europe/Prague' }).format(d);
}

/** To the second, as a confirmation of receipt states the time (Prague time). */
export function formatDateTimeSeconds(iso: string | null | undefined, lang: Language): string {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return new Intl.DateTimeFormat(intlLocale(lang), { dateStyle: 'long', timeStyle: 'medium', timeZone: 'Europe/Prague' }).format(d);
}

export function formatDate(iso: string | null | undefined, lang: Language): string {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return new Intl.DateTimeFormat(intlLocale(lang), { dateStyle: 'long', timeZone: 'Europe/Prague' }).format(d);
}

export function formatSize(bytes: number, lang: Language): string {
  const nf = (n: number, digits: number) => new Intl.NumberFormat(intlLocale(lang), { maximumFractionDigits: digits }).format(n);
  if (!Number.isFinite(bytes) || bytes < 0) return '';
  if (bytes < 1024) return `${nf(bytes, 0)} B`;
  if (bytes < 1024 * 1024) return `${nf(bytes / 1024, 0)} kB`;
  return `${nf(bytes / 1024 / 1024, 1)} MB`;
}

/** A fee from the catalogue: null (none), a number of CZK, or { amount, text }. */
export function formatFee(fee: unknown, lang: Language): string | null {
  if (fee == null) return null;
  if (typeof fee === 'number') {
    return new Intl.NumberFormat(intlLocale(lang), { style: 'currency', currency: 'CZK', maximumFractionDigits: 0 }).format(fee);
  }
  if (typeof fee === 'string') return fee;
  if (typeof fee === 'object') {
    const f = fee as { text?: unknown; amount?: unknown };
    if (typeof f.text === 'string') return f.text;
    if (f.text && typeof f.text === 'object' && typeof (f.text as Record<string, unknown>)[lang] === 'string') return (f.text as Record<string, string>)[lang];
    if (typeof f.amount === 'number') return formatFee(f.amount, lang);
  }
  return null;
}

export function paragraphs(text: string | null | undefined): string[] {
  return (text ?? '').split(/\n\s*\n/).map((p) => p.trim()).filter(Boolean);
}
