import { closeFile } from '../disposal/close-file';
import { settleRecordDocument } from '../disposal/settle-record-document';
import { registerRecord } from '../files/register-record.service';
import { closeVolume } from '../disposal/close-volume';
import { createTypedFile, openVolume } from '../files/typed-file.service';
import { openVolumeFile } from '../files/volume-file.service';
import { addFurtherAddressees, deliverToAll, dispatchToAll } from './demo-addressees';
import type { PartyInput } from '../parties/parties.service';
import { handler, ORGS, pdfa, PODATELNA } from './demo-data';
import type { DemoContext } from './demo-everyday';
import { dayOf, workday } from './demo-timeline';

const internal = (subject: string, n: number) => ({
  direction: 'internal' as const, subject, channel: 'internal' as const, form: 'electronic' as const,
  components: [{ fileName: 'zapis.pdf', mediaType: 'application/pdf', content: pdfa(`${subject} (${n})`) }],
});

/**
 * A year's file of documents of permanent value (A/10), made by the secretary's office: the council's
 * minutes, or the budget and the final account; settled and closed in December — the files the
 * archive later selects.
 */
export function planYearlyRecords(ctx: DemoContext, year: number, classCode: string, entries: [month: number, day: number, subject: string][]): void {
  const { ports, timeline } = ctx;
  const kt = handler('KT');
  const docs: string[] = [];
  let fileId = '';
  entries.forEach(([month, day, subject], k) => {
    timeline.at(dayOf(year, month, day, 300), async () => {
      const r = await registerRecord(ports, kt, {
        ...internal(subject, year * 10 + k),
        ...(fileId ? { fileId } : { classCode, orgUnit: 'KT' }),
      });
      fileId = r.fileId;
      docs.push(r.documentId);
    });
  });
  timeline.at(dayOf(year, 12, 14, 60), async () => {
    if (!fileId) return;
    for (const id of docs) await settleRecordDocument(ports, kt, { documentId: id, method: 'other' });
    await closeFile(ports, kt, { fileId });
  });
}

export function planCouncilMinutes(ctx: DemoContext, year: number): void {
  planYearlyRecords(ctx, year, '1.1.1', [[2, 20], [6, 18], [11, 26]].map(([month, day], k) => [month, day, `Zápis a usnesení z ${k + 1}. zasedání zastupitelstva města Karlovy Vary v roce ${year}`]));
}

export function planBudget(ctx: DemoContext, year: number): void {
  planYearlyRecords(ctx, year, '3.1', [[1, 12, `Schválený rozpočet statutárního města Karlovy Vary na rok ${year}`], [6, 25, `Závěrečný účet města za rok ${year - 1}`]]);
}

/** The year's accounting vouchers (S/10 from the end of the accounting period): closed with 31 December as the trigger. */
export function planAccounts(ctx: DemoContext, year: number): void {
  const { ports, timeline } = ctx;
  const kt = handler('KT');
  let first: { fileId: string; documentId: string } | null = null;
  timeline.at(dayOf(year, 1, 8, 90), async () => {
    first = await registerRecord(ports, kt, { ...internal(`Účetní doklady města za rok ${year}`, year), classCode: '3.2', orgUnit: 'KT' });
  });
  timeline.at(dayOf(year + 1, 1, 20, 90), async () => {
    if (!first) return;
    await settleRecordDocument(ports, kt, { documentId: first.documentId, method: 'other' });
    await closeFile(ports, kt, { fileId: first.fileId, triggerDate: `${year}-12-31` });
  });
}

/**
 * Two typed files (typový spis) with parts (součásti) and volumes (díly): an employee's personal
 * file and a building's file at the building authority, each filled over the years. Each volume
 * holds files (spisy) with the documents, as NSESSS 2023 asks; the building permit's volume closes
 * when its file is done and the next volume of the part opens, the change of the building's volume
 * stays open.
 */
export function planTypedFiles(ctx: DemoContext, from: number, to: number): void {
  const { ports, timeline } = ctx;
  const kt = handler('KT');
  timeline.at(dayOf(from, 3, 2, 120), async () => {
    const typed = await createTypedFile(ports, kt, {
      classCode: '2.1', subject: 'Osobní spis zaměstnance – Ing. Kateřina Veselá', reference: `OS-${from}-017`, orgUnit: 'KT',
      parts: [
        { code: 'PS', title: 'Pracovní smlouva a její změny' },
        { code: 'PV', title: 'Platové výměry' },
        { code: 'VZ', title: 'Vzdělávání a hodnocení', disposalCode: 'S', retentionYears: 10 },
      ],
    });
    const volumes: Record<string, string> = {};
    for (const [code, subject] of [['PS', 'Pracovní smlouva a dodatky'], ['PV', 'Platové výměry'], ['VZ', 'Vzdělávání úřednice']]) {
      const volume = await openVolume(ports, kt, { partId: typed.partIds[code], subject });
      volumes[code] = (await openVolumeFile(ports, kt, { volumeId: volume.fileId, subject })).fileId;
    }
    const entries: [number, string, string][] = [[0, 'PS', 'Pracovní smlouva'], [0, 'PV', 'Platový výměr'], [2, 'VZ', 'Osvědčení o zvláštní odborné způsobilosti'], [4, 'PS', 'Dodatek č. 1 k pracovní smlouvě'], [5, 'PV', 'Platový výměr – změna platové třídy']];
    entries.forEach(([years, code, subject], k) => {
      if (from + years > to) return;
      timeline.at(dayOf(from + years, 3, 5 + k, 200), async () => {
        await registerRecord(ports, kt, { ...internal(`${subject} – Ing. Kateřina Veselá`, from * 100 + k), fileId: volumes[code] });
      });
    });
  });
  const osu = handler('OSU');
  const builder = ORGS[3];
  const NEIGHBOUR: PartyInput = { kind: 'person', givenName: 'Věra', familyName: 'Horáková', street: 'Sokolovská 47', city: 'Karlovy Vary', postcode: '36005' };
  timeline.at(dayOf(to, 4, 14, 150), async () => {
    const typed = await createTypedFile(ports, osu, {
      classCode: '5.3', subject: 'Stavba: Bytový dům Sokolovská 45, Karlovy Vary', reference: `STAV-${to}-045`, orgUnit: 'OSU',
      parts: [{ code: 'SP', title: 'Stavební povolení' }, { code: 'ZM', title: 'Změny stavby před dokončením' }, { code: 'KOL', title: 'Kolaudace' }],
    });
    const permitVolume = await openVolume(ports, osu, { partId: typed.partIds.SP, subject: 'Stavební povolení – bytový dům' });
    const changeVolume = await openVolume(ports, osu, { partId: typed.partIds.ZM, subject: 'Změna stavby – podkroví' });
    const permit = await openVolumeFile(ports, osu, { volumeId: permitVolume.fileId, subject: 'Řízení o stavebním povolení' });
    const change = await openVolumeFile(ports, osu, { volumeId: changeVolume.fileId, subject: 'Řízení o změně stavby před dokončením' });
    let request = '';
    const steps: [Date, string, string, 'incoming' | 'outgoing'][] = [
      [workday(timeline.clock(), 1, 60), permit.fileId, 'Žádost o stavební povolení – bytový dům', 'incoming'],
      [workday(timeline.clock(), 40, 60), permit.fileId, 'Stavební povolení', 'outgoing'],
      [dayOf(to + 1, 5, 11, 80), change.fileId, 'Žádost o změnu stavby před dokončením', 'incoming'],
    ];
    steps.forEach(([at, fileId, subject, direction], k) => {
      timeline.at(at, async () => {
        const r = await registerRecord(ports, osu, {
          direction, subject, channel: 'data-box', form: 'electronic', fileId, handler: osu.username,
          ...(direction === 'incoming' ? { sender: builder } : { addressee: builder }),
          components: [{ fileName: 'dokument.pdf', mediaType: 'application/pdf', content: pdfa(`${subject} (${to}-${k})`) }],
        });
        if (direction === 'incoming' && fileId === permit.fileId) request = r.documentId;
        if (direction === 'outgoing') {
          // the building permit goes to every party of the proceeding: the builder, the neighbour, the fire brigade
          await addFurtherAddressees(ports, osu, r.documentId, [NEIGHBOUR, ORGS[7]]);
          timeline.at(workday(timeline.clock(), 1, 90), async () => void (await dispatchToAll(ports, PODATELNA, r.documentId)));
          timeline.at(workday(timeline.clock(), 4, 90), async () => void (await deliverToAll(ports, PODATELNA, r.documentId)));
          // the permit delivered, the request is settled by it, the file closes, and with it the volume; the part's next volume opens
          timeline.at(workday(timeline.clock(), 6, 90), async () => {
            await settleRecordDocument(ports, osu, { documentId: request, method: 'by-document' });
            await closeFile(ports, osu, { fileId: permit.fileId });
            await closeVolume(ports, osu, { volumeId: permitVolume.fileId, nextSubject: 'Stavební povolení – prodloužení platnosti' });
          });
        }
      });
    });
  });
}
