import { appendAuditLog } from '@openspis/db';
import type { Knex } from 'knex';
import { DomainError } from '../../shared/domain-error';
import { auditActor, type Actor } from '../records.model';
import type { RecordsPorts } from '../records.ports';
import { validateNsesssXml } from '../xml/nsesss-schemas';
import { filePlanToXml, parseFilePlanXml, type ParsedClass, type ParsedFilePlan } from './file-plan-xml';
import { closeOpenPlansBefore, findPlanByIdentifier, findPlanValidOn, insertFileClass, insertFilePlan, listClasses } from './file-plan.repository';
import { pragueDay } from '../records.ports';

function checkClasses(classes: readonly ParsedClass[], legacy: boolean, seen = new Set<string>()): void {
  for (const c of classes) {
    if (!c.class_code) throw new DomainError('FILE_PLAN_INVALID', 'a class has no class code');
    if (seen.has(c.class_code)) throw new DomainError('FILE_PLAN_INVALID', `class code ${c.class_code} appears twice`);
    seen.add(c.class_code);
    if (!c.children.length && (!c.disposal_code || c.retention_years === null)) {
      throw new DomainError('FILE_PLAN_INVALID', `class ${c.class_code} has no retention (disposal code and period)`);
    }
    if (c.disposal_code === 'V' && !legacy) throw new DomainError('FILE_PLAN_INVALID', `class ${c.class_code}: disposal code V is allowed only for legacy data`);
    checkClasses(c.children, legacy, seen);
  }
}

async function insertTree(trx: Knex.Transaction, planId: string, parentId: string | null, classes: readonly ParsedClass[]): Promise<number> {
  let n = 0;
  for (const { children, ...c } of classes) {
    const id = await insertFileClass(trx, planId, parentId, c);
    n += 1 + (await insertTree(trx, planId, id, children));
  }
  return n;
}

/**
 * Stores a new version of the file plan. A plan still open when the new one starts is closed the
 * day before, so exactly one plan is valid on any day. Retention codes are checked: every leaf
 * class has one, and V only with `legacy`.
 */
export async function storeFilePlan(
  trx: Knex.Transaction,
  actor: Actor,
  parsed: ParsedFilePlan,
  opts: { legacy?: boolean; at: Date },
): Promise<{ planId: string; classes: number }> {
  checkClasses(parsed.classes, opts.legacy ?? false);
  if (!parsed.plan.identifier) throw new DomainError('FILE_PLAN_INVALID', 'the plan has no identifier');
  if (await findPlanByIdentifier(trx, parsed.plan.identifier)) throw new DomainError('FILE_PLAN_EXISTS', `file plan ${parsed.plan.identifier} already exists`);
  await closeOpenPlansBefore(trx, parsed.plan.valid_from);
  const planId = await insertFilePlan(trx, parsed.plan);
  const classes = await insertTree(trx, planId, null, parsed.classes);
  await appendAuditLog(trx, {
    actor: auditActor(actor),
    eventType: 'Zalozeni',
    objectType: 'SpisovyPlan',
    objectId: planId,
    details: { identifier: parsed.plan.identifier, validFrom: parsed.plan.valid_from, classes },
    occurredAt: opts.at,
  });
  return { planId, classes };
}

/** Imports a `SpisovyPlan` XML document: validated against nsesss-plan.xsd, then stored as a new version. */
export async function importFilePlan(ports: RecordsPorts, actor: Actor, xml: string, opts: { legacy?: boolean } = {}): Promise<{ planId: string; identifier: string; classes: number }> {
  const validation = await validateNsesssXml(xml, 'nsesss-plan.xsd');
  if (!validation.valid) throw new DomainError('FILE_PLAN_XML_INVALID', `the file plan is not valid against nsesss-plan.xsd: ${validation.errors.slice(0, 3).join('; ')}`);
  const parsed = parseFilePlanXml(xml);
  const at = ports.clock();
  const result = await ports.db.transaction((trx) => storeFilePlan(trx, actor, parsed, { legacy: opts.legacy, at }));
  return { ...result, identifier: parsed.plan.identifier };
}

/** Exports the plan valid on `day` (default today) or the one named, and logs the export. */
export async function exportFilePlan(ports: RecordsPorts, actor: Actor, opts: { identifier?: string; day?: string } = {}): Promise<string> {
  const { db, clock, config } = ports;
  const plan = opts.identifier ? await findPlanByIdentifier(db, opts.identifier) : await findPlanValidOn(db, opts.day ?? pragueDay(clock()));
  if (!plan) throw new DomainError('FILE_PLAN_NOT_FOUND', opts.identifier ? `file plan ${opts.identifier} does not exist` : 'no file plan is valid on that day');
  const xml = filePlanToXml(plan, await listClasses(db, plan.id), config.officeCode);
  await db.transaction((trx) =>
    appendAuditLog(trx, { actor: auditActor(actor), eventType: 'Export', objectType: 'SpisovyPlan', objectId: plan.id, details: { identifier: plan.identifier }, occurredAt: clock() }),
  );
  return xml;
}
