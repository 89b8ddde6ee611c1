import {
  datum, dokument, identifikator, internalSubject, manipulace, skartacniRezim, spis, trideni, vecnaSkupina, vyrazovani, xmlId, type Classification,
} from './nsesss-metadata';
import type { SipCaseFile, SipFileClass, SipInput, SipPart, SipTypedFile } from './sip.model';
import { el, type XmlElement } from './xml-writer';

/**
 * The codes of what a part holds. nsesss-common.xsd (tPlneUrcenySpisovyZnak): the fully qualified
 * code of a volume and its documents runs through the simple codes "up to the nearest class or
 * part", so it is the class's code followed by the part's, joined as the plan joins its levels.
 */
export function partClassification(cls: SipFileClass, part: SipPart): Classification {
  return { simpleCode: part.code.slice(0, 50), classCode: `${cls.classCode}.${part.code}`.slice(0, 255) };
}

function typovySpis(t: SipTypedFile, f: SipCaseFile, input: SipInput, cls: SipFileClass): XmlElement {
  const source = input.identifierSource;
  return el('nsesss:TypovySpis', { ID: xmlId.typedFile(t) },
    el('nsesss:EvidencniUdaje',
      el('nsesss:Identifikace', identifikator(t.id, source)),
      // a typed file has no Evidence (tEvidencniUdajeTypovehoSpisu): its reference is told in the comment
      el('nsesss:Popis', el('nsesss:Nazev', t.subject), el('nsesss:Komentar', `Spisová značka typového spisu: ${t.fileReference}`)),
      el('nsesss:Puvod', datum('DatumVytvoreni', t.createdAt)),
      trideni(cls, el('nsesss:MaterskaEntita', vecnaSkupina(f.classPath, f.classPath.length - 1, f.plan, source))),
      t.closedAt && t.closedBy
        ? el('nsesss:Uzavreni', datum('Datum', t.closedAt), el('nsesss:Zpracovatel', internalSubject(t.closedBy, input.organisation, source)))
        : null,
      el('nsesss:Manipulace',
        el('nsesss:AnalogovyDokument', 'ne'),
        datum('DatumOtevreni', t.createdAt),
        t.closedAt ? datum('DatumUzavreni', t.closedAt) : null),
    ),
  );
}

function soucast(part: SipPart, t: SipTypedFile, f: SipCaseFile, input: SipInput, cls: SipFileClass): XmlElement {
  const source = input.identifierSource;
  return el('nsesss:Soucast', { ID: xmlId.part(part) },
    el('nsesss:EvidencniUdaje',
      el('nsesss:Identifikace', identifikator(part.id, source)),
      el('nsesss:Popis', el('nsesss:Nazev', part.title), el('nsesss:Komentar', `Součást ${part.code} typového spisu ${t.fileReference}`)),
      el('nsesss:Puvod', datum('DatumVytvoreni', part.createdAt)),
      trideni(partClassification(cls, part), el('nsesss:MaterskaEntita', typovySpis(t, f, input, cls))),
      el('nsesss:Vyrazovani', skartacniRezim(part.retention, source)),
      el('nsesss:Manipulace',
        el('nsesss:AnalogovyDokument', 'ne'),
        datum('DatumOtevreni', part.createdAt)),
    ),
  );
}

/**
 * `<nsesss:Dil>` (nsesss.xsd): a closed volume of a typed file is the base entity of its package, as
 * the schema's annotation of `Spis` and `Dil` prescribes; its part and typed file are nested in its
 * classification (Trideni/MaterskaEntita) above the class chain, and its files (spisy) — or, for a
 * volume filled before the 2023 decree, its documents — are inside it.
 */
export function buildDil(input: SipInput): XmlElement {
  const f = input.file;
  const source = input.identifierSource;
  const cls = f.classPath[f.classPath.length - 1];
  if (!cls) throw new RangeError(`volume ${f.fileReference} has no class`);
  if (!f.typed) throw new RangeError(`${f.fileReference} is not a volume of a typed file`);
  const { typedFile, part } = f.typed;
  const codes = partClassification(cls, part);
  return el('nsesss:Dil', { ID: xmlId.volume(f) },
    el('nsesss:EvidencniUdaje',
      el('nsesss:Identifikace', identifikator(f.id, source)),
      // a volume has no Evidence (tEvidencniUdajeDilu): its reference is told in the comment
      el('nsesss:Popis', el('nsesss:Nazev', f.subject), el('nsesss:Komentar', `Spisová značka dílu: ${f.fileReference}`)),
      el('nsesss:Puvod', datum('DatumVytvoreni', f.createdAt)),
      trideni(codes, el('nsesss:MaterskaEntita', soucast(part, typedFile, f, input, cls))),
      el('nsesss:Uzavreni',
        datum('Datum', f.closedAt),
        el('nsesss:Zpracovatel', internalSubject(f.closedBy, input.organisation, source))),
      vyrazovani(input),
      manipulace(f),
    ),
    // tDil: a volume holds documents only when they were closed before the 2023 decree, else files
    f.files?.length
      ? el('nsesss:Spisy', ...f.files.map((inner) => spis(inner, input, codes, inner.id)))
      : el('nsesss:Dokumenty', ...f.documents.map((d) => dokument(d, input, codes))),
  );
}
