import { storeFilePlan } from '../file-plan/file-plan.service';
import type { Actor } from '../records.model';
import { DEMO_ORG_UNITS, handler } from './demo-data';
import { annualHandOver, decideProposal, holdOneDueFile, proposeDueFiles, shareFile, takeOverFile } from './demo-disposal';
import { planEverydayFile, type DemoContext, type DemoPorts } from './demo-everyday';
import { demoFilePlan } from './demo-file-plan';
import { planAccounts, planBudget, planCouncilMinutes, planTypedFiles } from './demo-special-files';
import { dayOf, DemoTimeline, rng, workday } from './demo-timeline';
import { JOURNAL_YEAR_ACTOR, recordJournalYearClosure } from '../journal-year/close-journal-year.service';
import { pragueDay } from '../records.ports';
import { nextDay, pragueMidnight } from '../transaction-log/prague-day';
import { renderTransactionLogDay, TRANSACTION_LOG_ACTOR } from '../transaction-log/seal-log-day.service';
import { CATCH_UP_DAYS } from '../transaction-log/seal-log-days.schedule';

export { DEMO_ORG_UNITS } from './demo-data';

/** Below this many everyday files the demo is a small fixture: the plans, the units and those files, without the years of history. */
export const DEMO_HISTORY_MIN_FILES = 10;
/** The story starts this many years before today, with the plan version of that year. */
const HISTORY_YEARS = 12;
const DAY = 86_400_000;

/**
 * Seeds the records demo when there is no file plan yet, and returns false when it did nothing.
 * It tells the office's story through the real services on a clock of its own, in time order (so
 * the transaction log's times never go back along the chain): three versions of the file plan (the
 * one of twelve years ago, last year's and this year's); `files` everyday matters of the last two
 * years received, answered, dispatched, delivered, settled and closed as far as they have got by
 * today; and, with at least DEMO_HISTORY_MIN_FILES of them, the years before: the council's minutes
 * and the budget (A) and the accounts each year, older matters, the yearly hand-over to the records centre, typed
 * files with parts and volumes, last year's disposal proposal decided by the archive (transferred
 * and destroyed files), this year's proposal still open, disposal holds and files shared between units;
 * and, when the back-office's demo logins are there, a file taken over by the head of its unit.
 */
export async function seedRecordsDemo(ports: DemoPorts, opts: { files?: number } = {}): Promise<boolean> {
  const { db } = ports;
  const [{ n }] = await db('file_plans').count({ n: '*' });
  if (Number(n) > 0) return false;
  const end = ports.clock();
  const year = end.getUTCFullYear();
  const files = opts.files ?? 110;
  const history = files >= DEMO_HISTORY_MIN_FILES;
  const first = year - HISTORY_YEARS;
  // a log that already has entries (none on a fresh database) is only appended to after its last one
  const [{ last }] = await db('audit_log').max({ last: 'occurred_at' });
  const start = Math.max(Date.UTC(first - 1, 11, 1, 8), last ? new Date(last).getTime() : 0);
  const timeline = new DemoTimeline(new Date(Math.min(start, end.getTime())), end);
  const ctx: DemoContext = { ports: { ...ports, clock: timeline.clock }, timeline, random: rng(42) };
  const admin: Actor = { username: 'system:demo', roles: ['admin'], orgUnit: null };

  for (const u of DEMO_ORG_UNITS) await db('org_units').insert(u).onConflict('code').ignore();
  // each plan version is adopted in December, before the year it is valid from
  for (const y of [first, year - 1, year]) {
    timeline.at(dayOf(y - 1, 12, 15), async () => {
      await db.transaction((trx) => storeFilePlan(trx, admin, demoFilePlan(y, ports.config.officeCode), { at: timeline.clock() }));
    });
  }

  // everyday matters of the last two years, more of them lately, the newest received in the last days
  const span = 700 * DAY;
  for (let i = 0; i < files; i++) {
    const age = span * (1 - Math.sqrt((i + 1) / files)) + ctx.random() * 2 * DAY;
    planEverydayFile(ctx, i + 1, workday(new Date(end.getTime() - age - DAY), 0, Math.floor(ctx.random() * 400)));
  }
  if (history) {
    let n = files;
    // the dispatch list (výpravna) always has work: answers made last week, and a letter on its way for weeks
    for (let k = 0; k < 4; k++) planEverydayFile(ctx, ++n, workday(end, -10 - 2 * k, 100 + 40 * k), { replyAfter: 5 + k, dispatchAfter: 30 });
    for (let k = 0; k < 3; k++) planEverydayFile(ctx, ++n, workday(end, -30 - 3 * k, 120 + 40 * k), { replyAfter: 14, deliverAfter: 30 });
    planEverydayFile(ctx, ++n, workday(end, -30, 100), { replyAfter: 14, deliverAfter: 30 });
    for (let y = first; y <= year - 2; y++) {
      planCouncilMinutes(ctx, y);
      planBudget(ctx, y);
      planAccounts(ctx, y);
      for (let k = 0; k < 3; k++) planEverydayFile(ctx, ++n, dayOf(y, 2 + k * 3 + Math.floor(ctx.random() * 3), 3 + Math.floor(ctx.random() * 20), Math.floor(ctx.random() * 400)));
    }
    planCouncilMinutes(ctx, year - 1);
    planTypedFiles(ctx, first + 3, year - 3);
    for (let y = first + 1; y <= year; y++) timeline.at(dayOf(y, 2, 3, 60), () => annualHandOver(ctx));
    // last year's procedure: a file kept for a court first, then the proposal, the archive's decision, its confirmation
    timeline.at(dayOf(year - 1, 2, 16), () => holdOneDueFile(ctx, 'Vyžádáno Okresním soudem v Karlových Varech (sp. zn. 12 C 34/2024)', 'in-records-centre'));
    timeline.at(dayOf(year - 1, 3, 2), async () => {
      const proposalId = await proposeDueFiles(ctx);
      if (proposalId) timeline.at(dayOf(year - 1, 6, 16), () => decideProposal(ctx, proposalId, 1));
    });
    // this year's proposal, still with the archive; one of its files is taken out for an inspection
    timeline.at(workday(end, -12, 30), async () => {
      if (await proposeDueFiles(ctx)) timeline.at(workday(end, -5, 30), () => holdOneDueFile(ctx, 'Kontrola Nejvyššího kontrolního úřadu', 'in-disposal'));
    });
    // matters several units take part in
    timeline.at(workday(end, -3, 200), async () => {
      for (const [owner, to] of [['OSU', 'OZP'], ['ODP', 'OSU'], ['OZP', 'OSU']]) {
        const file = await db('files').where({ state: 'open', org_unit: owner, kind: 'file' }).orderBy('created_at', 'desc').first('id');
        if (file) await shareFile(ctx, handler(owner), file.id, to);
      }
    });
    // the head of the building office takes over a referent's open matter while he is ill (when the demo logins exist)
    planEverydayFile(ctx, n + 1, workday(end, -12, 90), { replyAfter: 20, unit: 'OSU' });
    timeline.at(workday(end, -4, 150), () => takeOverFile(ctx, 'OSU', 'vedouci', 'Zastupování po dobu pracovní neschopnosti'));
    planRoutineRecords(ctx, first, year);
  }
  await timeline.run();
  return true;
}

const MINUTE = 60_000;

/**
 * The records the running system makes by itself, made on the demo's clock when the system would
 * have made them, so the journal shows them among the office's work instead of all on top with
 * today's date: each past year's registry journal closed just after New Year, and each of the last
 * `CATCH_UP_DAYS` days of the transaction log rendered just after midnight. Their seals are put on at
 * start-up by the same schedules (the seal certificate of a fresh installation is made today).
 */
function planRoutineRecords(ctx: DemoContext, first: number, year: number): void {
  const { timeline, ports } = ctx;
  for (let y = first; y < year; y++) {
    timeline.at(new Date(pragueMidnight(`${y + 1}-01-01`).getTime() + 20 * MINUTE), async () => {
      if (await ports.db('journal_counters').where({ office: ports.config.officeCode, year: y }).first()) await recordJournalYearClosure(ports, JOURNAL_YEAR_ACTOR, { year: y });
    });
  }
  const day = new Date(`${pragueDay(timeline.end)}T12:00:00Z`);
  day.setUTCDate(day.getUTCDate() - CATCH_UP_DAYS);
  for (let k = 0; k < CATCH_UP_DAYS; k++, day.setUTCDate(day.getUTCDate() + 1)) {
    const d = day.toISOString().slice(0, 10);
    timeline.at(new Date(pragueMidnight(nextDay(d)).getTime() + 10 * MINUTE), async () => {
      await renderTransactionLogDay(ports, TRANSACTION_LOG_ACTOR, { day: d });
    });
  }
}
