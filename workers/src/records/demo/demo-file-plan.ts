import type { DisposalCode, NumberingMethod } from '../records.model';
import type { ParsedClass, ParsedFilePlan } from '../file-plan/file-plan-xml';

type Leaf = [code: string, title: string, disposal: DisposalCode, years: number, trigger?: string, opts?: { method?: NumberingMethod; typed?: boolean }];
type Group = [code: string, title: string, children: (Leaf | Group)[]];

const CLOSE = 'uzavření spisu';

/**
 * A municipal file plan in the style of a statutory city with extended powers (ORP Karlovy Vary):
 * main groups by agenda, classes with A/S regimes and trigger events as such plans list them.
 */
const TREE: Group[] = [
  ['1', 'Organizace a řízení', [
    ['1.1', 'Zastupitelstvo a rada města', [
      ['1.1.1', 'Zápisy a usnesení zastupitelstva', 'A', 10],
      ['1.1.2', 'Zápisy a usnesení rady', 'A', 10],
      ['1.1.3', 'Podklady pro jednání orgánů města', 'S', 5],
    ]],
    ['1.2', 'Vnitřní předpisy a organizace úřadu', [
      ['1.2.1', 'Organizační a spisový řád', 'A', 10, 'pozbytí platnosti'],
      ['1.2.2', 'Směrnice a příkazy tajemníka', 'S', 10, 'pozbytí platnosti'],
    ]],
    ['1.3', 'Stížnosti, petice a podněty', 'S', 5, CLOSE],
    ['1.4', 'Žádosti o informace (zákon 106/1999 Sb.)', 'S', 5, CLOSE, { method: 'priorace' }],
    ['1.5', 'Obecná podání a korespondence', 'S', 5, CLOSE],
    // the yearly file of the daily sealed renderings of the transaction log (TRANSACTION_LOG_CLASS_CODE)
    ['1.6', 'Spisová služba: transakční protokol', 'A', 10, CLOSE],
  ]],
  ['2', 'Personální a mzdová agenda', [
    ['2.1', 'Osobní spisy zaměstnanců', 'S', 50, 'ukončení pracovního poměru', { typed: true }],
    ['2.2', 'Výběrová řízení', 'S', 5],
    ['2.3', 'Vzdělávání úředníků', 'S', 5],
  ]],
  ['3', 'Finance a rozpočet', [
    ['3.1', 'Rozpočet města a závěrečný účet', 'A', 10],
    ['3.2', 'Účetní doklady', 'S', 10, 'konec účetního období'],
    ['3.3', 'Místní poplatky', 'S', 10, CLOSE, { method: 'priorace' }],
    ['3.4', 'Dotace poskytnuté městem', 'S', 10],
  ]],
  ['4', 'Majetek města', [
    ['4.1', 'Nabytí a prodej nemovitostí', 'A', 10],
    ['4.2', 'Nájmy a pachty', 'S', 10, 'skončení nájmu'],
    ['4.3', 'Zábor veřejného prostranství', 'S', 5, CLOSE, { method: 'priorace' }],
  ]],
  ['5', 'Stavební úřad a územní plánování', [
    ['5.1', 'Územní plán a regulační plány', 'A', 15, 'pozbytí platnosti'],
    ['5.2', 'Územní řízení a rozhodnutí', 'S', 15, CLOSE],
    ['5.3', 'Stavební povolení a kolaudace', 'S', 45, 'odstranění stavby', { typed: true }],
    ['5.4', 'Přestupky na úseku stavebního řádu', 'S', 5],
  ]],
  ['6', 'Životní prostředí', [
    ['6.1', 'Ochrana ovzduší', 'S', 10],
    ['6.2', 'Odpadové hospodářství', 'S', 10],
    ['6.3', 'Rybářské a lovecké lístky', 'S', 5, 'skončení platnosti lístku', { method: 'priorace' }],
    ['6.4', 'Kácení dřevin', 'S', 5],
  ]],
  ['7', 'Doprava a silniční hospodářství', [
    ['7.1', 'Registr silničních vozidel', 'S', 10, 'vyřazení vozidla'],
    ['7.2', 'Řidičská oprávnění', 'S', 10],
    ['7.3', 'Přestupky v dopravě', 'S', 5, CLOSE, { method: 'priorace' }],
    ['7.4', 'Hlášení závad na komunikacích', 'S', 5],
  ]],
  ['8', 'Sociální věci a zdravotnictví', [
    ['8.1', 'Sociálně-právní ochrana dětí', 'A', 100, 'zletilost dítěte', { typed: true }],
    ['8.2', 'Sociální služby a poradenství', 'S', 10],
    ['8.3', 'Opatrovnictví', 'S', 10],
  ]],
  ['9', 'Správní agendy a evidence obyvatel', [
    ['9.1', 'Evidence obyvatel a trvalý pobyt', 'S', 10],
    ['9.2', 'Občanské průkazy a cestovní doklady', 'S', 10],
    ['9.3', 'Matrika', 'A', 100],
    ['9.4', 'Živnostenský úřad', 'S', 10, 'zánik živnostenského oprávnění'],
  ]],
];

function build(node: Leaf | Group, parentCode: string | null, order: { n: number }, validFrom: string): ParsedClass {
  order.n += 1;
  const [code, title] = node;
  const simple = parentCode ? code.slice(parentCode.length + 1) : code;
  const base = {
    simple_code: simple, class_code: code, title, comment: null, valid_from: validFrom, valid_to: null, sort_order: order.n,
    permanent_disposal_consent: false,
  };
  if (Array.isArray(node[2])) {
    return {
      ...base, retention_id: null, disposal_code: null, retention_years: null, trigger_event: null, retention_reason: null,
      numbering_method: 'collection-sheet', for_typed_files: false,
      children: (node[2] as (Leaf | Group)[]).map((c) => build(c, code, order, validFrom)),
    };
  }
  const [, , disposal, years, trigger, opts] = node as Leaf;
  return {
    ...base,
    retention_id: `${disposal}/${years}`,
    disposal_code: disposal,
    retention_years: years,
    trigger_event: trigger ?? CLOSE,
    retention_reason: disposal === 'A' ? 'dokumenty trvalé hodnoty' : 'provozní dokumenty bez trvalé hodnoty',
    numbering_method: opts?.method ?? 'collection-sheet',
    for_typed_files: opts?.typed ?? false,
    children: [],
  };
}

/** The demo plan, valid from 1 January of `year`. */
export function demoFilePlan(year: number, office = 'MMKV'): ParsedFilePlan {
  const validFrom = `${year}-01-01`;
  const order = { n: 0 };
  return {
    plan: {
      identifier: `${office}-SP-${year}`,
      title: `Spisový a skartační plán Magistrátu města Karlovy Vary (${year})`,
      comment: 'Ukázkový spisový plán pro demonstrační data.',
      issuer: 'Statutární město Karlovy Vary',
      issuer_id: '00254657',
      issuer_seat: 'Moskevská 2035/21, 361 20 Karlovy Vary',
      valid_from: validFrom,
      valid_to: null,
    },
    classes: TREE.map((g) => build(g, null, order, validFrom)),
  };
}
