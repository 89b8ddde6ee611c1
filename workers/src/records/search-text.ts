/**
 * Lower-case text without diacritics and with single spaces, stored beside subjects and names so a
 * search for "zadost" finds "Žádost" using a plain b-tree index on both PostgreSQL and PGlite.
 */
export function normalizeSearchText(text: string | null | undefined): string {
  return (text ?? '')
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/\s+/g, ' ')
    .trim();
}
