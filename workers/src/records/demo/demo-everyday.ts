import { cancelDocument } from '../disposal/cancel-document';
import { closeFile } from '../disposal/close-file';
import { settleRecordDocument } from '../disposal/settle-record-document';
import { registerRecord } from '../files/register-record.service';
import type { PartyInput } from '../parties/parties.service';
import type { Channel } from '../records.model';
import type { WorkerPorts } from '../../shared/ports';
import { addFurtherAddressees, deliverToAll, dispatchToAll } from './demo-addressees';
import { handler, INCOMING_CHANNELS, MATTERS, ORGS, pdfa, person, PODATELNA } from './demo-data';
import { workday, type DemoTimeline } from './demo-timeline';

export type DemoPorts = Pick<WorkerPorts, 'db' | 'clock' | 'config'>;

export interface DemoContext {
  ports: DemoPorts;
  timeline: DemoTimeline;
  random: () => number;
}

const ANSWERED = MATTERS.filter((m) => m[3]);
const PERSONAL = new Set(['3.3', '6.3', '8.2', '8.3', '9.1', '9.4']);
const electronic = (channel: Channel) => channel !== 'post' && channel !== 'personal';

/** The way back to a sender: its data box, else e-mail, else the post. */
function answerChannel(party: PartyInput, came: Channel): Channel {
  if (party.dataBoxId) return 'data-box';
  if (came === 'email' || came === 'portal') return party.email ? 'email' : 'post';
  return 'post';
}

/**
 * One everyday matter, told through the services from its receipt on: registered by the registry
 * office into a new file, answered by the unit's handler, the answer dispatched and delivered, the
 * request settled and the file closed — as far as the story has got by today.
 */
export function planEverydayFile(ctx: DemoContext, n: number, receivedAt: Date, timing: { replyAfter?: number; dispatchAfter?: number; deliverAfter?: number; unit?: string } = {}): void {
  const { ports, timeline, random } = ctx;
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)];
  const answered = timing.unit ? ANSWERED.filter((m) => m[2] === timing.unit) : ANSWERED;
  const [classCode, subject, unit, answer] = timing.replyAfter ? answered[n % answered.length] : pick(MATTERS);
  const channel = pick(INCOMING_CHANNELS);
  // licences, social matters, residence and trades concern people; the rest may come from a company or an authority
  const sender = !PERSONAL.has(classCode) && random() < 0.3 ? pick(ORGS) : person(random);
  const officer = handler(unit);
  const duplicate = electronic(channel) && random() < 0.06;
  const staysOpen = random() < 0.08;
  const minute = Math.floor(random() * 400);
  timeline.at(receivedAt, async () => {
    const year = timeline.clock().getUTCFullYear();
    const first = await registerRecord(ports, PODATELNA, {
      direction: 'incoming', subject, channel, form: electronic(channel) ? 'electronic' : 'analog', sender, classCode, orgUnit: unit, handler: officer.username,
      attachmentsCount: Math.floor(random() * 3), senderReference: sender.kind === 'person' ? null : `${100 + n}/${year}`,
      components: electronic(channel) ? [{ fileName: 'podani.pdf', mediaType: 'application/pdf', content: pdfa(`${subject} (${n})`) }] : [],
    });
    if (duplicate) {
      // the same message filed twice by mistake: the copy is cancelled, its journal row stays
      timeline.at(workday(receivedAt, 0, minute + 20), async () => {
        const copy = await registerRecord(ports, PODATELNA, {
          direction: 'incoming', subject, channel, form: 'electronic', sender, fileId: first.fileId, handler: officer.username,
          components: [{ fileName: 'podani.pdf', mediaType: 'application/pdf', content: pdfa(`${subject} (${n}, kopie)`) }],
        });
        await cancelDocument(ports, PODATELNA, { documentId: copy.documentId, reason: 'Duplicitní zápis téhož podání' });
      });
    }
    const close = async () => {
      if (!staysOpen) timeline.at(workday(timeline.clock(), 12, minute), async () => void (await closeFile(ports, officer, { fileId: first.fileId })));
    };
    if (!answer) {
      timeline.at(workday(receivedAt, 4, minute), async () => {
        await settleRecordDocument(ports, officer, { documentId: first.documentId, method: 'noted' });
        await close();
      });
      return;
    }
    const way = answerChannel(sender, channel);
    timeline.at(workday(receivedAt, timing.replyAfter ?? 6 + Math.floor(random() * 8), minute), async () => {
      const reply = await registerRecord(ports, officer, {
        direction: 'outgoing', subject: answer, channel: way, form: way === 'post' ? 'analog' : 'electronic', addressee: sender, fileId: first.fileId, handler: officer.username,
        components: way === 'post' ? [] : [{ fileName: 'odpoved.pdf', mediaType: 'application/pdf', content: pdfa(`${answer} – ${subject} (${n})`) }],
      });
      // every other decision goes also to further parties of the proceeding: an authority, sometimes a company
      if (answer.startsWith('Rozhodnutí') && n % 2 === 0) {
        await addFurtherAddressees(ports, officer, reply.documentId, n % 4 === 0 ? [ORGS[5 + (n % 3)], ORGS[4]] : [ORGS[5 + (n % 3)]]);
      }
      timeline.at(workday(timeline.clock(), timing.dispatchAfter ?? 1 + Math.floor(random() * 3), minute), async () => {
        await dispatchToAll(ports, PODATELNA, reply.documentId);
        // a data message is delivered when opened, or deemed so after ten days; a letter in a few days
        const deemed = way === 'data-box' && random() < 0.3;
        timeline.at(workday(timeline.clock(), timing.deliverAfter ?? (deemed ? 10 : 2 + Math.floor(random() * 4)), minute), async () => {
          await deliverToAll(ports, PODATELNA, reply.documentId, deemed);
          timeline.at(workday(timeline.clock(), 1, minute), async () => {
            await settleRecordDocument(ports, officer, { documentId: first.documentId, method: 'by-document' });
            await close();
          });
        });
      });
    });
  });
}
