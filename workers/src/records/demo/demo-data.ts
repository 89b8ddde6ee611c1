import type { PartyInput } from '../parties/parties.service';
import type { Actor, Channel } from '../records.model';

export const DEMO_ORG_UNITS = [
  { code: 'POD', name: 'Podatelna' },
  { code: 'OSU', name: 'Odbor stavební úřad' },
  { code: 'ODP', name: 'Odbor dopravy' },
  { code: 'OZP', name: 'Odbor životního prostředí' },
  { code: 'OSV', name: 'Odbor sociálních věcí' },
  { code: 'KT', name: 'Kancelář tajemníka' },
];

/** The handler (referent) of each unit; the stavební úřad's is the demo login `referent`, the Kancelář tajemníka's `kancelar`. */
const HANDLERS: Record<string, string> = { OSU: 'referent', ODP: 'kucera', OZP: 'markova', OSV: 'horakova', KT: 'kancelar', POD: 'podatelna' };
export const handler = (unit: string): Actor => ({ username: HANDLERS[unit] ?? 'referent', roles: ['referent'], orgUnit: unit });
export const PODATELNA: Actor = { username: 'podatelna', roles: ['podatelna'], orgUnit: 'POD' };
export const SPISOVNA: Actor = { username: 'spisovna', roles: ['spisovna'], orgUnit: 'KT' };

export const GIVEN = ['Jana', 'Petr', 'Marie', 'Jan', 'Eva', 'Tomáš', 'Lucie', 'Martin', 'Věra', 'Jiří', 'Olena', 'Andrij', 'Kateřina', 'Pavel', 'Hana', 'Lukáš'];
export const FAMILY: [string, string][] = [
  ['Novák', 'Nováková'], ['Dvořák', 'Dvořáková'], ['Svoboda', 'Svobodová'], ['Černý', 'Černá'], ['Procházka', 'Procházková'], ['Kučera', 'Kučerová'],
  ['Veselý', 'Veselá'], ['Horák', 'Horáková'], ['Marek', 'Marková'], ['Pokorný', 'Pokorná'], ['Ševčenko', 'Ševčenko'], ['Kovalenko', 'Kovalenko'],
];
const FEMALE = new Set(['Jana', 'Marie', 'Eva', 'Lucie', 'Věra', 'Olena', 'Kateřina', 'Hana']);
export const STREETS = ['Zahradní', 'Moskevská', 'Sokolovská', 'Jaltská', 'Krále Jiřího', 'Západní', 'Kpt. Jaroše', 'T. G. Masaryka', 'Stará Louka', 'Chebská', 'Školní', 'Vítězná'];
export const DISTRICTS: [city: string, postcode: string][] = [['Karlovy Vary', '36001'], ['Karlovy Vary – Rybáře', '36006'], ['Karlovy Vary – Doubí', '36017'], ['Karlovy Vary – Dvory', '36004'], ['Karlovy Vary – Stará Role', '36017']];

export const ORGS: PartyInput[] = [
  { kind: 'organisation', organisationName: 'Karlovarské minerální vody, a.s.', companyId: '14706725', dataBoxId: 'kmv8a2x', street: 'Horova 1361/3', city: 'Karlovy Vary', postcode: '36001' },
  { kind: 'organisation', organisationName: 'Stavby Ohře s.r.o.', companyId: '28012345', dataBoxId: 'so4hr3e', street: 'Chebská 81', city: 'Karlovy Vary', postcode: '36006' },
  { kind: 'organisation', organisationName: 'Lázně Thermal, s.r.o.', companyId: '26345678', email: 'info@thermal.example', street: 'I. P. Pavlova 2001/11', city: 'Karlovy Vary', postcode: '36001' },
  { kind: 'organisation', organisationName: 'Vřídlo Development a.s.', companyId: '27654321', dataBoxId: 'vd7k2pm', street: 'Zeyerova 5', city: 'Karlovy Vary', postcode: '36001' },
  { kind: 'organisation', organisationName: 'Karlovarská stavební společnost, s.r.o.', companyId: '25214111', dataBoxId: 'kss9m4t', street: 'Sokolovská 150', city: 'Karlovy Vary', postcode: '36005' },
  { kind: 'authority', organisationName: 'Krajský úřad Karlovarského kraje', companyId: '70891168', dataBoxId: 'siqbxt2', street: 'Závodní 353/88', city: 'Karlovy Vary', postcode: '36006' },
  { kind: 'authority', organisationName: 'Policie ČR, Krajské ředitelství policie Karlovarského kraje', companyId: '72050501', dataBoxId: 'bp2ab7u', street: 'Závodní 386/100', city: 'Karlovy Vary', postcode: '36006' },
  { kind: 'authority', organisationName: 'Hasičský záchranný sbor Karlovarského kraje', companyId: '70882835', dataBoxId: 'hszkvk2', street: 'Svobody 1', city: 'Karlovy Vary', postcode: '36009' },
];

/** Everyday matters: class, subject, unit, how the office answers (`null`: taken note of, no answer). */
export const MATTERS: [classCode: string, subject: string, unit: string, answer: string | null][] = [
  ['1.3', 'Stížnost na hluk z provozovny v ulici Stará Louka', 'KT', 'Vyřízení stížnosti'],
  ['1.3', 'Podnět k údržbě zeleně v Doubí', 'KT', 'Odpověď na podnět'],
  ['1.4', 'Žádost o informace o výdajích na opravy komunikací', 'KT', 'Poskytnutí informace'],
  ['1.4', 'Žádost o informace – smlouvy na svoz odpadu', 'KT', 'Poskytnutí informace'],
  ['1.5', 'Dotaz k otevírací době podatelny', 'POD', null],
  ['1.5', 'Pozvánka na jednání pracovní skupiny kraje', 'KT', null],
  ['3.3', 'Poplatek za komunální odpad – žádost o splátkový kalendář', 'KT', 'Rozhodnutí o splátkách'],
  ['3.3', 'Poplatek ze psů – přihlášení psa', 'KT', null],
  ['4.3', 'Žádost o zábor veřejného prostranství – předzahrádka', 'OSU', 'Rozhodnutí o záboru'],
  ['4.3', 'Zábor chodníku pro lešení – Moskevská', 'OSU', 'Rozhodnutí o záboru'],
  ['5.2', 'Územní řízení – rodinný dům na pozemku v Rybářích', 'OSU', 'Územní rozhodnutí'],
  ['5.2', 'Územní souhlas – garáž', 'OSU', 'Územní souhlas'],
  ['5.4', 'Oznámení o nepovolené stavbě oplocení', 'OSU', 'Výzva k odstranění stavby'],
  ['6.2', 'Hlášení o černé skládce u Ohře', 'OZP', 'Oznámení o zahájení řízení'],
  ['6.3', 'Žádost o vydání rybářského lístku', 'OZP', 'Rybářský lístek'],
  ['6.4', 'Povolení kácení dřevin – lípa u cesty', 'OZP', 'Rozhodnutí o povolení kácení'],
  ['6.4', 'Oznámení kácení ovocných stromů', 'OZP', null],
  ['7.3', 'Oznámení přestupku – parkování na chodníku', 'ODP', 'Příkaz'],
  ['7.3', 'Oznámení přestupku – překročení rychlosti', 'ODP', 'Příkaz'],
  ['7.4', 'Hlášení závady – výtluk v ulici Západní', 'ODP', 'Odpověď na hlášení'],
  ['7.4', 'Hlášení závady – nefunkční veřejné osvětlení', 'ODP', 'Odpověď na hlášení'],
  ['8.2', 'Žádost o poskytnutí sociální služby', 'OSV', 'Oznámení o poskytnutí služby'],
  ['8.3', 'Návrh na ustanovení opatrovníka', 'OSV', 'Vyjádření k návrhu'],
  ['9.1', 'Žádost o zrušení údaje o trvalém pobytu', 'OSV', 'Rozhodnutí o zrušení údaje'],
  ['9.4', 'Ohlášení živnosti – hostinská činnost', 'KT', 'Výpis ze živnostenského rejstříku'],
];

export const INCOMING_CHANNELS: Channel[] = ['portal', 'data-box', 'data-box', 'email', 'post', 'post', 'personal'];

export function person(random: () => number): PartyInput {
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)];
  const given = pick(GIVEN);
  const [male, female] = pick(FAMILY);
  const family = FEMALE.has(given) ? female : male;
  const [city, postcode] = pick(DISTRICTS);
  const email = `${given}.${family}@example.cz`.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();
  return { kind: 'person', givenName: given, familyName: family, email, street: `${pick(STREETS)} ${1 + Math.floor(random() * 90)}`, city, postcode };
}

/** A small PDF/A (pdfaid:part in its XMP packet, what the output-format check looks for) carrying the text. */
export function pdfa(text: string): Buffer {
  return Buffer.concat([
    Buffer.from('%PDF-1.7\n1 0 obj\n<< /Type /Metadata /Subtype /XML >>\nstream\n<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:Description pdfaid:part="2" pdfaid:conformance="B"/></x:xmpmeta>\nendstream\nendobj\n% ', 'latin1'),
    Buffer.from(text, 'utf8'),
    Buffer.from('\n%%EOF\n', 'latin1'),
  ]);
}
