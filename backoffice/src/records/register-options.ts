import { findPlanValidOn, listClasses, pragueDay, type Actor, type FileClassRow } from '@openspis/workers';
import type { Knex } from 'knex';

/** Ways a document is received at the registry office outside the portal (the portal registers its own submissions). */
export const RECEIPT_CHANNELS = ['post', 'personal', 'email', 'data-box'] as const;
/** Ways an outgoing own document is meant to leave (its dispatch is recorded later in the dispatch list). */
export const OUTGOING_CHANNELS = ['data-box', 'email', 'post', 'personal'] as const;

export interface FormOptions {
  /** the classes of the plan valid today a document can be filed in (not those grouping others, not typed-file classes) */
  classes: { code: string; title: string }[];
  units: { code: string; name: string }[];
  /** handlers (referent, vedoucí) with their unit, for the registry office's assignment */
  handlers: { username: string; name: string; unit: string }[];
  receiptChannels: readonly string[];
  outgoingChannels: readonly string[];
  kinds: readonly string[];
}

export async function fileableClasses(db: Knex, day: string): Promise<FileClassRow[]> {
  const plan = await findPlanValidOn(db, day);
  if (!plan) return [];
  return (await listClasses(db, plan.id)).filter((c) => c.disposal_code !== null && !c.for_typed_files && c.valid_from <= day && (!c.valid_to || c.valid_to >= day));
}

export async function orgUnits(db: Knex): Promise<{ code: string; name: string }[]> {
  return db('org_units').orderBy('code').select('code', 'name');
}

export async function handlers(db: Knex): Promise<{ username: string; name: string; unit: string }[]> {
  return db('users as u')
    .where('u.active', true).whereNotNull('u.org_unit')
    .whereExists((q) => q.select(1).from('user_roles as r').whereRaw('r.user_id = u.id').whereIn('r.role', ['referent', 'vedouci']))
    .orderBy(['u.org_unit', 'u.display_name'])
    .select('u.username', 'u.display_name as name', 'u.org_unit as unit');
}

export async function formOptions(db: Knex, _actor: Actor, now: Date): Promise<FormOptions> {
  const [classes, units, people] = await Promise.all([fileableClasses(db, pragueDay(now)), orgUnits(db), handlers(db)]);
  return {
    classes: classes.map((c) => ({ code: c.class_code, title: c.title })), units, handlers: people,
    receiptChannels: RECEIPT_CHANNELS, outgoingChannels: OUTGOING_CHANNELS, kinds: ['person', 'organisation', 'authority'],
  };
}
