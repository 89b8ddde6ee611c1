import { createHash } from 'node:crypto';
import type { Knex } from 'knex';
import { EngineError, type DeployResource, type DeployedProcess } from '../port';
import { lintBpmn } from './bpmn-lint';
import { parseBpmn, type ParsedBpmn } from './bpmn-model';
import { registerStartEvents } from './start-events';

export interface LoadedDefinition {
  key: string;
  bpmnProcessId: string;
  version: number;
  parsed: ParsedBpmn;
}

export interface DefinitionRow {
  key: string | number;
  bpmn_process_id: string;
  version: number;
  sha256: string;
  resource_name: string;
  xml: string;
}

/**
 * Deployed definitions never change, so every node may cache their parsed form for good: a
 * command then costs no XML parsing.
 */
export class DefinitionRepository {
  // only finished loads are shared: awaiting another caller's in-flight query from inside a
  // transaction could deadlock PGlite's single connection
  private readonly cache = new Map<string, LoadedDefinition>();

  async load(trx: Knex | Knex.Transaction, key: string): Promise<LoadedDefinition> {
    const hit = this.cache.get(key);
    if (hit) return hit;
    const row = (await trx('engine_process_definitions').where({ key }).first()) as DefinitionRow | undefined;
    if (!row) throw new EngineError('NOT_FOUND', `process definition ${key} not found`);
    const loaded = { key: String(row.key), bpmnProcessId: row.bpmn_process_id, version: row.version, parsed: await parseBpmn(row.xml, { forEngine: true }) };
    this.cache.set(key, loaded);
    return loaded;
  }

  async findLatest(db: Knex | Knex.Transaction, bpmnProcessId: string, version?: number): Promise<DefinitionRow | undefined> {
    const q = db('engine_process_definitions').where({ bpmn_process_id: bpmnProcessId });
    if (version !== undefined) return q.andWhere({ version }).first();
    return q.orderBy('version', 'desc').first();
  }

  async deploy(db: Knex, resources: DeployResource[], now: Date = new Date()): Promise<DeployedProcess[]> {
    const checked: { resource: DeployResource; processId: string; sha256: string }[] = [];
    // parse and lint everything first: one bad resource rejects the whole deployment
    for (const resource of resources) {
      let parsed: ParsedBpmn;
      try {
        parsed = await parseBpmn(resource.content);
      } catch (err) {
        throw new EngineError('DEPLOY_REJECTED', `${resource.name}: not a valid BPMN document: ${(err as Error).message}`, { cause: err });
      }
      const errors = (await lintBpmn((parsed.moddleContext as { rootElement: unknown }).rootElement)).filter((r) => r.category === 'error');
      if (errors.length) {
        const lines = errors.map((e) => `element "${e.elementId}": ${e.message} (rule ${e.rule})`);
        throw new EngineError('DEPLOY_REJECTED', `${resource.name}: ${lines.join('; ')}`);
      }
      const executable = parsed.processes.filter((p) => p.executable);
      if (executable.length !== 1) {
        // bpmn-engine runs every executable process of a document, so one per resource keeps instances unambiguous
        throw new EngineError('DEPLOY_REJECTED', `${resource.name}: exactly one executable process is supported, found ${executable.length}`);
      }
      checked.push({ resource, processId: executable[0].id, sha256: createHash('sha256').update(resource.content).digest('hex') });
    }
    return db.transaction(async (trx) => {
      const deployed: DeployedProcess[] = [];
      for (const { resource, processId, sha256 } of checked) {
        // serialises concurrent deploys of the same process across nodes
        await trx.raw('select pg_advisory_xact_lock(hashtext(?))', [`engine-deploy:${processId}`]);
        const latest = await this.findLatest(trx, processId);
        if (latest && latest.sha256 === sha256) {
          deployed.push({ bpmnProcessId: processId, version: latest.version, processDefinitionKey: String(latest.key), resourceName: latest.resource_name });
          continue;
        }
        const version = (latest?.version ?? 0) + 1;
        const [row] = await trx('engine_process_definitions')
          .insert({ bpmn_process_id: processId, version, sha256, resource_name: resource.name, xml: resource.content })
          .returning('key');
        const key = String(typeof row === 'object' ? row.key : row);
        await registerStartEvents(trx, await this.load(trx, key), now);
        deployed.push({ bpmnProcessId: processId, version, processDefinitionKey: key, resourceName: resource.name });
      }
      return deployed;
    });
  }
}
