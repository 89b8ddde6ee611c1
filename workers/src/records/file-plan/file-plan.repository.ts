import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import type { FileClassRow, FilePlanRow } from '../records.model';

/** Dates as `YYYY-MM-DD` whatever the driver returns (pg gives Date objects, PGlite too). */
export function isoDate(value: Date | string | null): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string') return value.slice(0, 10);
  const local = new Date(value.getTime() - value.getTimezoneOffset() * 60_000);
  return local.toISOString().slice(0, 10);
}

function planRow(row: FilePlanRow): FilePlanRow {
  return { ...row, valid_from: isoDate(row.valid_from)!, valid_to: isoDate(row.valid_to) };
}
function classRow(row: FileClassRow): FileClassRow {
  return { ...row, valid_from: isoDate(row.valid_from)!, valid_to: isoDate(row.valid_to) };
}

export type NewFilePlan = Omit<FilePlanRow, 'id' | 'created_at'>;
export type NewFileClass = Omit<FileClassRow, 'id' | 'plan_id' | 'parent_id'>;

export async function insertFilePlan(trx: Knex.Transaction, plan: NewFilePlan): Promise<string> {
  const id = randomUUID();
  await trx('file_plans').insert({ id, ...plan });
  return id;
}

export async function insertFileClass(trx: Knex.Transaction, planId: string, parentId: string | null, c: NewFileClass): Promise<string> {
  const id = randomUUID();
  await trx('file_classes').insert({ id, plan_id: planId, parent_id: parentId, ...c });
  return id;
}

export async function findPlanByIdentifier(db: Knex, identifier: string): Promise<FilePlanRow | undefined> {
  const row = await db('file_plans').where({ identifier }).first();
  return row ? planRow(row) : undefined;
}

/** The plan valid on the day (the latest one when validities overlap). */
export async function findPlanValidOn(db: Knex, day: string): Promise<FilePlanRow | undefined> {
  const row = await db('file_plans')
    .where('valid_from', '<=', day)
    .andWhere((q) => q.whereNull('valid_to').orWhere('valid_to', '>=', day))
    .orderBy('valid_from', 'desc')
    .first();
  return row ? planRow(row) : undefined;
}

export async function listPlans(db: Knex): Promise<FilePlanRow[]> {
  return (await db('file_plans').orderBy('valid_from')).map(planRow);
}

/** Closes the validity of plans still open on the day before `day`. */
export async function closeOpenPlansBefore(trx: Knex.Transaction, day: string): Promise<number> {
  const previousDay = new Date(Date.parse(`${day}T00:00:00Z`) - 86_400_000).toISOString().slice(0, 10);
  return trx('file_plans').whereNull('valid_to').andWhere('valid_from', '<', day).update({ valid_to: previousDay });
}

export async function listClasses(db: Knex, planId: string): Promise<FileClassRow[]> {
  return (await db('file_classes').where({ plan_id: planId }).orderBy([{ column: 'sort_order' }, { column: 'class_code' }])).map(classRow);
}

export async function getClass(db: Knex, id: string): Promise<FileClassRow | undefined> {
  const row = await db('file_classes').where({ id }).first();
  return row ? classRow(row) : undefined;
}

/** The class with this code in the plan valid on the day. */
/**
 * `findClassByCode` for many questions at once, as an SQL expression for a bigger statement: a JSON
 * array with, for each (code, day) asked that has one, the class valid that day, plus the question
 * (`asked_code`, `asked_day`).
 */
export function classesByCodeSql(db: Knex, asks: { code: string; day: string }[]): Knex.Raw {
  return db.raw(
    `(select coalesce(json_agg(x), '[]'::json) from (
      select distinct on (q.code, q.day) q.code as asked_code, q.day::text as asked_day, c.*
      from json_to_recordset(?::json) as q(code text, day date)
      join file_classes c on c.class_code = q.code
      join file_plans p on p.id = c.plan_id
      where p.valid_from <= q.day and (p.valid_to is null or p.valid_to >= q.day)
        and c.valid_from <= q.day and (c.valid_to is null or c.valid_to >= q.day)
      order by q.code, q.day, p.valid_from desc) x)`,
    [JSON.stringify(asks)],
  );
}

export async function findClassByCode(db: Knex, classCode: string, day: string): Promise<FileClassRow | undefined> {
  const row = await db('file_classes as c')
    .join('file_plans as p', 'p.id', 'c.plan_id')
    .where('c.class_code', classCode)
    .andWhere('p.valid_from', '<=', day)
    .andWhere((q) => q.whereNull('p.valid_to').orWhere('p.valid_to', '>=', day))
    .andWhere('c.valid_from', '<=', day)
    .andWhere((q) => q.whereNull('c.valid_to').orWhere('c.valid_to', '>=', day))
    .orderBy('p.valid_from', 'desc')
    .select('c.*')
    .first();
  return row ? classRow(row) : undefined;
}
